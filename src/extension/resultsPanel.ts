import * as vscode from 'vscode';
import type { ExperimentRecord } from '../core/experiments/record';
import { orderBeforeAfter } from '../core/comparison';
import type { RunRecord } from '../core/record';
import { parseFromWebview, ViewStateSchema, type ExperimentDelta, type FromWebview, type ToWebview } from '../shared/protocol';
import { buildWebviewHtml, createNonce } from './webviewHtml';

import { RESULTS_VIEW_TYPE } from './viewTypes';

export interface PanelActions {
  rerun(runId: string): void;
  compareWith(runId: string): void;
  exportRun(runId: string, format: 'json' | 'csv' | 'png', dataUrl?: string): void;
  openSource(runId: string): void;
  resume(runId: string): void;
  promptDiff(beforeId: string, afterId: string): void;
  exportComparison(beforeId: string, afterId: string, format: 'json' | 'csv' | 'png', dataUrl?: string): void;
}

/** One results webview: shows a run (live while measuring) or a comparison of two runs. */
/** Messages that are not the panel's content (not kept as the last one shown). */
const TRANSIENT: ReadonlySet<ToWebview['type']> = new Set(['progress', 'error', 'experimentProgress', 'experimentCancelling']);

export class ResultsPanel implements vscode.Disposable {
  private ready = false;
  private queue: ToWebview[] = [];
  private last?: ToWebview;
  private readonly disposables: vscode.Disposable[] = [];
  runIds: string[] = [];
  readonly onDidDispose: vscode.Event<void>;

  static create(extensionUri: vscode.Uri, title: string, actions: PanelActions): ResultsPanel {
    const panel = vscode.window.createWebviewPanel(RESULTS_VIEW_TYPE, title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, ResultsPanel.options(extensionUri));
    return new ResultsPanel(panel, extensionUri, actions);
  }

  static options(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      retainContextWhenHidden: true,
      // Only the bundle folder: the webview cannot read anything else of the extension or workspace.
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist')],
    };
  }

  constructor(readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, private readonly actions: PanelActions) {
    const webview = panel.webview;
    webview.options = ResultsPanel.options(extensionUri);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'superposition.svg');
    webview.html = buildWebviewHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.css')).toString(),
      title: panel.title,
    });
    this.onDidDispose = panel.onDidDispose;
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => {
        const message = parseFromWebview(raw);
        if (message) this.handle(message); // anything else is dropped
      }),
    );
  }

  private handle(message: FromWebview): void {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        for (const queued of this.queue.splice(0)) void this.panel.webview.postMessage(queued);
        return;
      case 'rerun':
        return this.actions.rerun(message.runId);
      case 'compareWith':
        return this.actions.compareWith(message.runId);
      case 'export':
        return this.actions.exportRun(message.runId, message.format, message.dataUrl);
      case 'openSource':
        return this.actions.openSource(message.runId);
      case 'resume':
        return this.actions.resume(message.runId);
      case 'promptDiff':
        return this.actions.promptDiff(message.beforeId, message.afterId);
      case 'exportComparison':
        return this.actions.exportComparison(message.beforeId, message.afterId, message.format, message.dataUrl);
    }
  }

  private post(message: ToWebview): void {
    if (!TRANSIENT.has(message.type)) this.last = message;
    if (this.ready) void this.panel.webview.postMessage(message);
    else this.queue.push(message);
  }

  showRun(record: RunRecord, running: boolean): void {
    this.runIds = [record.id];
    this.panel.title = `Superposition: ${record.model}${running ? ' (running)' : ''}`;
    this.post({ type: 'showRun', record, running, simulated: record.simulated });
  }

  /** Shows two runs as Before (the older, `left`) and After (`right`), whatever order they come in. */
  showComparison(a: RunRecord, b: RunRecord): void {
    const { before: left, after: right } = orderBeforeAfter(a, b);
    this.runIds = [left.id, right.id];
    this.panel.title = `Before / After: ${left.model === right.model ? left.model : `${left.model} → ${right.model}`}`;
    this.post({ type: 'showComparison', left, right, simulated: left.simulated || right.simulated });
  }

  showExperiment(record: ExperimentRecord, running: boolean, simulated: boolean): void {
    this.runIds = [record.id];
    this.panel.title = `${record.kind === 'scaling' ? 'Scaling' : 'Calibration'}: ${record.models.map((m) => m.name).join(', ')}${running ? ' (running)' : ''}`;
    this.post({ type: 'showExperiment', record, running, simulated });
  }

  showExperimentComparison(left: ExperimentRecord, right: ExperimentRecord, simulated: boolean): void {
    this.runIds = [left.id, right.id];
    this.panel.title = `Compare ${left.kind} experiments`;
    this.post({ type: 'showExperimentComparison', left, right, simulated });
  }

  /** A running experiment's new units and changed rows (after showExperiment of its record). */
  experimentProgress(delta: ExperimentDelta): void {
    this.post({ type: 'experimentProgress', delta });
  }

  experimentCancelling(runId: string): void {
    this.post({ type: 'experimentCancelling', runId });
  }

  progress(message: string, done?: number, total?: number): void {
    this.post({ type: 'progress', progress: { message, ...(done !== undefined ? { done } : {}), ...(total !== undefined ? { total } : {}) } });
  }

  showError(message: string, nextStep?: string): void {
    this.post({ type: 'error', message, ...(nextStep ? { nextStep } : {}) });
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  get lastMessage(): ToWebview | undefined {
    return this.last;
  }

  dispose(): void {
    this.panel.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** Restores results panels after a reload from the run ids the webview kept in its state. */
/** Restores a results panel after a reload from its saved view state (the run ids it showed). */
export async function restorePanel(
  webviewPanel: vscode.WebviewPanel,
  state: unknown,
  extensionUri: vscode.Uri,
  actions: PanelActions,
  load: (id: string) => Promise<RunRecord | ExperimentRecord>,
  adopt: (panel: ResultsPanel) => void,
): Promise<void> {
  const panel = new ResultsPanel(webviewPanel, extensionUri, actions);
  adopt(panel);
  const parsed = ViewStateSchema.safeParse(state);
  if (!parsed.success || parsed.data.runIds.length === 0) {
    panel.showError('This panel could not be restored.', 'Open the run again from the Experiments view.');
    return;
  }
  try {
    const records = await Promise.all(parsed.data.runIds.map(load));
    const [first, second] = records;
    const isExperiment = (r: RunRecord | ExperimentRecord | undefined): r is ExperimentRecord => r?.kind === 'scaling' || r?.kind === 'calibration';
    if (isExperiment(first)) {
      if (isExperiment(second)) panel.showExperimentComparison(first, second, false);
      else panel.showExperiment(first, false, false);
    } else if (first && second && !isExperiment(second)) panel.showComparison(first, second);
    else if (first) panel.showRun(first, false);
  } catch (err) {
    panel.showError(`The run could not be loaded: ${(err as Error).message}`, 'It may have been deleted; open another run from the Experiments view.');
  }
}
