import { START_OLLAMA, startOllamaLabel, startOrInstallOllama } from './startOllama';
import * as vscode from 'vscode';
import { analyzeMix, isSimulatedModel } from '../core/analyze';
import { hasErrors, type Diagnostic } from '../core/diagnostics';
import { formatExperimentCsv } from '../core/experiments/format';
import { formatRecordCsv } from '../core/exportFormats';
import { HistoryStore, isExperiment, type StoredRecord } from '../core/history';
import { parseMix } from '../core/mix/parse';
import { buildPrompt, type PromptMix, type Separator } from '../core/mix/types';
import { RemoteHostNotices, remoteHostMessage } from '../core/remoteHosts';
import type { RunRecord } from '../core/record';
import type { Detection } from '../core/tasks/detect';
import { preparePrompt } from './quick/promptInput';
import type { QuickCheck } from './quick/quickCheck';
import { toVsDiagnostic } from './diagnostics';
import { isExperimentFileText, SUPERPOSITION_JSON } from '../core/experiments/fileKind';
import { OllamaService } from './ollamaService';
import { ResultsPanel, type PanelActions } from './resultsPanel';
import { exportComparison, PromptDocuments, showPromptDiff } from './comparison';
import { setOllamaHost } from './hostCommand';
import { EXPORT_CHOICES, writeExport } from './exports';
import { pickModel } from './modelPicker';
import { readSettings, type Settings } from './settings';
import { ExperimentController } from './experiments';
import { ExperimentsTree, type ExperimentNode } from './views/experimentsTree';
import { runRowText } from './views/runRow';

/** globalState key prefix: the user chose "Don't Show Again" for this remote host. */
const REMOTE_ACK_KEY = 'superposition.remoteHostAcknowledged:';


interface AnalysisInput {
  mix: PromptMix;
  detection: Detection;
  source?: string;
}

/** The extension's state and command handlers: wiring only; the measuring is done by core. */
export class Lab implements vscode.Disposable, PanelActions {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('superposition');
  readonly service: OllamaService;
  readonly experiments: ExperimentsTree;
  private currentPanel?: ResultsPanel;
  readonly experimentRuns = new ExperimentController(this);
  private readonly disposables: vscode.Disposable[] = [];
  private readonly promptDocuments = new PromptDocuments();
  private readonly stores = new Map<string, HistoryStore>();
  /** Experiments being measured in this window (their history files are checkpoints). */
  readonly running = new Set<string>();
  /** In-editor quick checks (CodeLens, hovers, inline result, analyze on save); set by the workbench. */
  quick: QuickCheck | undefined;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.service = new OllamaService(this.settings());
    this.experiments = new ExperimentsTree(() => this.store(), (id) => this.running.has(id));
    this.disposables.push(this.diagnostics, this.service, this.experiments, this.promptDocuments);
    // Runs written by other windows (or a git pull) show up without a manual refresh.
    const watcher = vscode.workspace.createFileSystemWatcher('**/.superposition/runs/*.json');
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refresh = (uri: vscode.Uri) => {
      if (uri.path.endsWith('/index.json')) return; // the listing's own cache
      clearTimeout(timer);
      timer = setTimeout(() => this.experiments.refresh(), 300);
    };
    this.disposables.push(watcher, watcher.onDidCreate(refresh), watcher.onDidChange(refresh), watcher.onDidDelete(refresh), { dispose: () => clearTimeout(timer) });
  }

  settings(): Settings {
    return readSettings(vscode.workspace.getConfiguration('superposition'), process.env, vscode.workspace.isTrusted);
  }

  onSettingsChanged(): void {
    this.service.updateSettings(this.settings());
    this.experiments.refresh();
  }

  /** One store per folder, holding its listing in memory. */
  store(): HistoryStore {
    const folder = vscode.workspace.workspaceFolders?.[0];
    const dir =
      this.settings().historyLocation === 'workspace' && folder && folder.uri.scheme === 'file'
        ? vscode.Uri.joinPath(folder.uri, '.superposition', 'runs').fsPath
        : vscode.Uri.joinPath(this.context.globalStorageUri, 'runs').fsPath;
    let store = this.stores.get(dir);
    if (!store) this.stores.set(dir, (store = new HistoryStore(dir)));
    return store;
  }

  // ── analysis ────────────────────────────────────────────────────────────────────────────

  async analyzeSelection(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage('Superposition: open a few-shot prompt and select it first.');
      return;
    }
    if (editor.selection.isEmpty) {
      const choice = await vscode.window.showInformationMessage('Superposition: select a few-shot prompt (examples, then the query line) first.', 'Analyze Whole File');
      if (choice) await this.analyzeFile(editor.document.uri);
      return;
    }
    await this.analyzeText(editor.document, new vscode.Range(editor.selection.start, editor.selection.end));
  }

  async analyzeFile(uri?: vscode.Uri): Promise<void> {
    const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
    if (!target) {
      void vscode.window.showInformationMessage('Superposition: open a prompt file (.txt or *.superposition.json) first.');
      return;
    }
    const document = await vscode.workspace.openTextDocument(target);
    // An experiment file holds a plan, not a prompt: "analysing" it means running it.
    if (SUPERPOSITION_JSON.test(document.fileName) && isExperimentFileText(document.getText())) return this.experimentRuns.runFile(document.uri);
    await this.analyzeText(document, undefined);
  }

  private async analyzeText(document: vscode.TextDocument, range: vscode.Range | undefined): Promise<void> {
    const prepared = await preparePrompt(document, range);
    const diagnostics = prepared.ok ? prepared.input.diagnostics : prepared.diagnostics;
    const origin = prepared.ok ? prepared.input.origin : prepared.origin;
    this.diagnostics.set(document.uri, diagnostics.map((d) => toVsDiagnostic(d, origin, document)));
    if (!prepared.ok) return this.showInputErrors(diagnostics);
    if (range) this.quick?.rememberSelection(document, range);
    const record = await this.run({ mix: prepared.input.mix, detection: prepared.input.detection, source: prepared.input.source });
    if (record) this.quick?.adopt(document, prepared.input, record);
  }

  private async showInputErrors(diagnostics: readonly Diagnostic[]): Promise<void> {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const first = errors[0];
    const message = first
      ? `Superposition: the prompt cannot be analysed — ${first.message}${errors.length > 1 ? ` (+${errors.length - 1} more)` : ''} (line ${first.line}).`
      : 'Superposition: the prompt cannot be analysed.';
    const choice = await vscode.window.showErrorMessage(message, 'Show Problems');
    if (choice) await vscode.commands.executeCommand('workbench.actions.view.problems');
  }

  /** Checks the server and the model, offering the fixes, then measures with progress and Cancel. */
  private async run(input: AnalysisInput): Promise<RunRecord | undefined> {
    const settings = this.settings();
    const status = await this.service.refresh();
    if (!status.reachable) {
      const start = await startOllamaLabel();
      const choice = await vscode.window.showErrorMessage(`Superposition: ${status.error?.message ?? 'Ollama is not reachable.'} ${status.error?.nextStep ?? ''}`, 'Retry', start, 'Open Settings');
      if (choice === 'Retry') return this.run(input);
      if (choice === start) await startOrInstallOllama(start);
      if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'superposition.host');
      return undefined;
    }
    this.warnIfRemote([settings.host]);
    let model = settings.model;
    if (!model) {
      model = (await this.selectModel()) ?? '';
      if (!model) return undefined;
    }
    const installed = status.models.some((m) => m.name === model || m.name === `${model}:latest`);
    if (!installed) {
      const choice = await vscode.window.showWarningMessage(`Superposition: model '${model}' is not installed on ${status.host}.`, 'Pull Model', 'Select Model');
      if (choice === 'Pull Model') {
        if (!(await this.pullModel(model))) return undefined;
      } else if (choice === 'Select Model') {
        if (!(await this.selectModel())) return undefined;
        return this.run(input);
      } else return undefined;
    }
    if (settings.method === 'auto' && status.logprobs === false) {
      void vscode.window.showInformationMessage(`Superposition: Ollama ${status.version} has no logprobs (0.12.11 or later needed); measuring by sampling (${settings.samples} samples). Update Ollama for exact values.`);
    }
    if (settings.method === 'logprobs' && status.logprobs === false) {
      const choice = await vscode.window.showWarningMessage(`Superposition: Ollama ${status.version} has no logprobs (0.12.11 or later needed).`, 'Use Sampling', 'Cancel');
      if (choice !== 'Use Sampling') return undefined;
      settings.method = 'sampling';
    }
    return this.measure(input, { ...settings, model });
  }

  private async measure(input: AnalysisInput, settings: Settings): Promise<RunRecord> {
    const panel = this.panel(`Superposition: ${settings.model} (running)`);
    panel.progress(`Connecting to Ollama at ${settings.host}`);
    const record = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Superposition: ${settings.model}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        let last = 0;
        return analyzeMix(this.service.client(), input.mix, input.detection, {
          model: settings.model,
          method: settings.method,
          samples: settings.samples,
          terminated: settings.terminated,
          ...(settings.topK > 0 ? { topK: settings.topK } : {}),
          concurrency: settings.concurrency,
          keepAlive: settings.keepAlive,
          source: input.source,
          signal: controller.signal,
          onProgress: (message, done, total) => {
            const fraction = total ? done! / total : undefined;
            const increment = fraction !== undefined ? Math.max(0, 100 * fraction - last) : undefined;
            if (fraction !== undefined) last = 100 * fraction;
            progress.report({ message: total ? `${message} (${done}/${total})` : done !== undefined ? `${message} (${done} requests)` : message, ...(increment ? { increment } : {}) });
            panel.progress(message, done, total);
          },
          onPartial: (partial) => panel.showRun(partial, true),
        });
      },
    );
    panel.showRun(record, false);
    try {
      await this.store().save(record);
    } catch (err) {
      void vscode.window.showErrorMessage(`Superposition: the run could not be saved: ${(err as Error).message}`);
    }
    this.experiments.refresh();
    void this.announce(record);
    return record;
  }

  private async announce(record: RunRecord): Promise<void> {
    if (record.status === 'cancelled') {
      void vscode.window.showInformationMessage('Superposition: analysis cancelled — the partial results are kept in the history.');
      return;
    }
    if (record.status !== 'failed' || !record.error) return;
    const start = record.error.kind === 'not-running' ? await startOllamaLabel() : START_OLLAMA;
    const actions = record.error.kind === 'model-not-found' ? ['Pull Model', 'Select Model'] : record.error.kind === 'not-running' ? [start, 'Open Settings'] : record.error.kind === 'timeout-first-byte' || record.error.kind === 'context-overflow' ? ['Open Settings'] : [];
    const choice = await vscode.window.showErrorMessage(`Superposition: ${record.error.message} ${record.error.nextStep ?? ''}`, ...actions, 'Re-run');
    if (choice === 'Pull Model') await this.pullModel(record.model);
    else if (choice === 'Select Model') await this.selectModel();
    else if (choice === start) await startOrInstallOllama(start);
    else if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'superposition');
    else if (choice === 'Re-run') this.rerun(record.id);
  }

  private readonly remoteNotices = new RemoteHostNotices((host) => this.context.globalState.get<boolean>(`${REMOTE_ACK_KEY}${host}`) === true);

  /**
   * A one-time warning per host that is not this machine (prompts leave it). It does not wait for the
   * user: a notification that slides into the notification centre must not hold up the measurement.
   */
  warnIfRemote(hosts: readonly string[]): void {
    for (const host of this.remoteNotices.take(hosts)) {
      void vscode.window.showWarningMessage(remoteHostMessage(host), "Don't Show Again", 'Open Settings').then(async (choice) => {
        if (choice === "Don't Show Again") await this.context.globalState.update(`${REMOTE_ACK_KEY}${host}`, true);
        if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'superposition.host');
      });
    }
  }

  /** The results panel (created or revealed). */
  panel(title: string): ResultsPanel {
    if (!this.currentPanel) {
      this.currentPanel = ResultsPanel.create(this.context.extensionUri, title, this);
      this.currentPanel.onDidDispose(() => (this.currentPanel = undefined));
    } else this.currentPanel.reveal();
    return this.currentPanel;
  }

  adoptPanel(panel: ResultsPanel): void {
    if (this.currentPanel) return;
    this.currentPanel = panel;
    panel.onDidDispose(() => (this.currentPanel = undefined));
  }

  // ── runs ────────────────────────────────────────────────────────────────────────────────

  private async runFromArg(arg: unknown, placeHolder: string): Promise<StoredRecord | undefined> {
    const node = arg as ExperimentNode | undefined;
    if (node?.kind === 'run') return this.store().loadStored(node.run.id);
    if (typeof arg === 'string') return this.store().loadStored(arg);
    return this.pickRun(placeHolder);
  }

  private async pickRun(placeHolder: string, only?: { exclude: string; kind: string }): Promise<StoredRecord | undefined> {
    const { runs } = await this.store().list();
    const picked = await vscode.window.showQuickPick(
      runs
        .filter((r) => !only || (r.id !== only.exclude && r.kind === only.kind))
        .map((r) => ({ ...runRowText(r), detail: `${new Date(r.createdAt).toLocaleString()} · ${r.status} · ${r.tasks.join(', ')}${r.source ? ` · ${r.source}` : ''}`, id: r.id })),
      { placeHolder, matchOnDescription: true, matchOnDetail: true },
    );
    return picked ? this.store().loadStored(picked.id) : undefined;
  }

  private show(record: StoredRecord): void {
    if (isExperiment(record)) this.panel(record.kind).showExperiment(record, false, record.models.some((m) => isSimulatedModel(m.name, '')));
    else this.panel(`Superposition: ${record.model}`).showRun(record, false);
  }

  async openRun(arg?: unknown): Promise<void> {
    try {
      const record = await this.runFromArg(arg, 'Open which run?');
      if (record) this.show(record);
    } catch (err) {
      void vscode.window.showErrorMessage(`Superposition: ${(err as Error).message}`);
    }
  }

  rerun(arg?: unknown): void {
    void (async () => {
      const record = await this.runFromArg(arg, 'Re-run which run?').catch((err: Error) => void vscode.window.showErrorMessage(`Superposition: ${err.message}`));
      if (!record) return;
      if (isExperiment(record)) await this.experimentRuns.rerun(record);
      else await this.run(inputFromRecord(record));
    })();
  }

  resume(runId: string): void {
    void this.experimentRuns.resume(runId).catch((err: Error) => void vscode.window.showErrorMessage(`Superposition: ${err.message}`));
  }

  async resumeFromTree(arg?: unknown): Promise<void> {
    const node = arg as ExperimentNode | undefined;
    const id = node?.kind === 'run' ? node.run.id : (await this.pickRun('Resume which experiment?'))?.id;
    if (id) this.resume(id);
  }

  compareWith(arg?: unknown): void {
    void this.compareRuns(arg);
  }

  async compareRuns(arg?: unknown): Promise<void> {
    try {
      const first = await this.runFromArg(arg, 'Compare which run?');
      if (!first) return;
      const label = isExperiment(first) ? `${first.kind} experiment` : `${first.model} · ${first.tasks.map((t) => t.id).join(', ')}`;
      const second = await this.pickRun(`Compare ${label} with…`, { exclude: first.id, kind: first.kind });
      if (!second) return;
      if (isExperiment(first) && isExperiment(second)) this.panel('Compare experiments').showExperimentComparison(first, second, first.models.concat(second.models).some((m) => isSimulatedModel(m.name, '')));
      else if (!isExperiment(first) && !isExperiment(second)) this.panel('Compare runs').showComparison(first, second);
    } catch (err) {
      void vscode.window.showErrorMessage(`Superposition: ${(err as Error).message}`);
    }
  }

  exportRun(arg?: unknown, format?: 'json' | 'csv' | 'png', dataUrl?: string): void {
    void (async () => {
      try {
        const record = await this.runFromArg(arg, 'Export which run?');
        if (!record) return;
        const chosen = format ?? (await vscode.window.showQuickPick(EXPORT_CHOICES, { placeHolder: 'Export as' }))?.format;
        if (!chosen) return;
        if (chosen === 'png' && !dataUrl) return;
        const csv = () => (isExperiment(record) ? formatExperimentCsv(record) : formatRecordCsv(record));
        const bytes =
          chosen === 'png' ? Buffer.from(dataUrl!.slice('data:image/png;base64,'.length), 'base64') : new TextEncoder().encode(chosen === 'csv' ? csv() : `${JSON.stringify(record, null, 2)}\n`);
        const model = isExperiment(record) ? record.models.map((m) => m.name).join('-') : record.model;
        await writeExport(this.context.globalStorageUri, { createdAt: record.createdAt, model: isExperiment(record) ? `${record.kind}-${model}` : model, input: isExperiment(record) ? {} : record.input }, chosen, bytes);
      } catch (err) {
        void vscode.window.showErrorMessage(`Superposition: export failed: ${(err as Error).message}`);
      }
    })();
  }

  async setHost(): Promise<void> {
    if (await setOllamaHost(this.settings().host)) {
      this.onSettingsChanged();
      const status = await this.service.refresh();
      void vscode.window.showInformationMessage(`Superposition: Ollama host ${status.host} — ${status.reachable ? `Ollama ${status.version}, reachable` : 'not reachable yet'}.`);
    }
  }

  promptDiff(beforeId: string, afterId: string): void {
    void showPromptDiff(this.promptDocuments, (id) => this.store().loadStored(id), beforeId, afterId);
  }

  exportComparison(beforeId: string, afterId: string, format: 'json' | 'csv' | 'png', dataUrl?: string): void {
    void exportComparison((id) => this.store().loadStored(id), this.context.globalStorageUri, beforeId, afterId, format, dataUrl);
  }

  openSource(runId: string): void {
    void (async () => {
      const record = await this.store().loadStored(runId).catch(() => undefined);
      const source = record && !isExperiment(record) ? record.input.source : undefined;
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      if (source && folder) await vscode.window.showTextDocument(vscode.Uri.joinPath(folder, source));
    })();
  }

  async deleteRun(arg?: unknown): Promise<void> {
    const node = arg as ExperimentNode | undefined;
    const file = node?.kind === 'run' ? node.run.file : node?.kind === 'unreadable' ? node.item.file : undefined;
    if (!file) return;
    const what = node?.kind === 'run' ? (({ label, description }) => `the run "${label}" (${description}, ${new Date(node.run.createdAt).toLocaleDateString()})`)(runRowText(node.run)) : `the unreadable file ${file}`;
    const choice = await vscode.window.showWarningMessage(`Delete ${what}?`, { modal: true, detail: `${file} will be removed from the history. This cannot be undone.` }, 'Delete');
    if (choice !== 'Delete') return;
    await this.store().delete(file);
    this.experiments.refresh();
  }

  async revealRunFile(arg?: unknown): Promise<void> {
    const node = arg as ExperimentNode | undefined;
    const file = node?.kind === 'run' ? node.run.file : node?.kind === 'unreadable' ? node.item.file : undefined;
    if (file) await vscode.window.showTextDocument(vscode.Uri.file(`${this.store().dir}/${file}`));
  }

  // ── models ──────────────────────────────────────────────────────────────────────────────

  async selectModel(name?: unknown): Promise<string | undefined> {
    let model = typeof name === 'string' ? name : undefined;
    if (!model) {
      const status = await this.service.refresh();
      if (!status.reachable) {
        void vscode.window.showErrorMessage(`Superposition: ${status.error?.message} ${status.error?.nextStep ?? ''}`);
        return undefined;
      }
      if (status.models.length === 0) {
        const choice = await vscode.window.showInformationMessage(`Superposition: Ollama at ${status.host} has no models.`, 'Pull Model');
        if (choice) return (await this.pullModel()) ? this.service.model : undefined;
        return undefined;
      }
      const picked = await pickModel(status.models);
      if (picked?.pull) {
        if (!(await this.pullModel(picked.model))) return undefined;
        await this.setModel(picked.model);
        return picked.model;
      }
      model = picked?.model;
    }
    if (model) await this.setModel(model);
    return model;
  }

  private async setModel(model: string): Promise<void> {
    const config = vscode.workspace.getConfiguration('superposition');
    const inspected = config.inspect<string>('model');
    const target = inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await config.update('model', model, target);
  }

  async pullModel(name?: string): Promise<boolean> {
    const model = name ?? (await vscode.window.showInputBox({ prompt: 'Model to pull from the Ollama library', value: this.settings().model || 'qwen2.5:0.5b', placeHolder: 'e.g. qwen2.5:0.5b' }));
    if (!model) return false;
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Pulling ${model}`, cancellable: true }, async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        let last = 0;
        await this.service.client().pull(
          model,
          (p) => {
            const pct = p.total ? (100 * (p.completed ?? 0)) / p.total : undefined;
            progress.report({ message: `${p.status}${pct !== undefined ? ` ${pct.toFixed(0)}%` : ''}`, ...(pct !== undefined && pct > last ? { increment: pct - last } : {}) });
            if (pct !== undefined) last = pct;
          },
          controller.signal,
        );
      });
    } catch (err) {
      const e = err as { message: string; nextStep?: string };
      void vscode.window.showErrorMessage(`Superposition: pulling ${model} failed: ${e.message} ${e.nextStep ?? ''}`);
      return false;
    }
    await this.service.refresh();
    if (!this.settings().model || this.settings().model === model) await this.setModel(model);
    void vscode.window.showInformationMessage(`Superposition: ${model} is ready.`);
    return true;
  }

  async showOllamaStatus(): Promise<void> {
    const status = await this.service.refresh();
    await vscode.commands.executeCommand('superposition.ollama.focus');
    if (status.reachable) {
      void vscode.window.showInformationMessage(`Superposition: Ollama ${status.version} at ${status.host} — ${status.models.length} models${status.logprobs ? '' : ' (no logprobs: sampling only)'}; model: ${this.service.model || 'none selected'}.`);
    } else {
      const choice = await vscode.window.showErrorMessage(`Superposition: ${status.error?.message} ${status.error?.nextStep ?? ''}`, 'Retry', 'Open Settings');
      if (choice === 'Retry') await this.showOllamaStatus();
      if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'superposition.host');
    }
  }

  dispose(): void {
    // The index cache is written a moment after a save: write it now (losing it only costs a re-read).
    for (const store of this.stores.values()) void store.flush().catch(() => undefined);
    this.currentPanel?.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

/** Re-running a run measures exactly what it measured: its prompt, tasks, answers and shares. */
export function inputFromRecord(record: RunRecord): AnalysisInput {
  const examples = record.input.examples.map((e) => ({ input: e.input, output: e.output, line: e.line }));
  const separator = record.input.separator as Separator;
  const mix: PromptMix = {
    separator,
    examples,
    query: record.input.query,
    queryLine: examples.length + 1,
    prompt: record.input.prompt || buildPrompt(examples, record.input.query, separator),
  };
  const detection: Detection = {
    tasks: record.tasks.map((t) => ({ id: t.id, label: t.label, custom: false, count: t.examples, share: t.share, answer: t.answer })),
    matches: record.input.examples.map((e) => ({ line: e.line, tasks: e.tasks })),
    diagnostics: record.warnings.filter((w) => w.code !== 'sampling-fallback' && w.code !== 'context-overflow'),
  };
  return { mix, detection, ...(record.input.source ? { source: record.input.source } : {}) };
}
