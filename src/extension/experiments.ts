import * as vscode from 'vscode';
import { isSimulatedModel } from '../core/analyze';
import { expandPlan, type ExperimentPlan, type MeasurementUnit } from '../core/experiments/plan';
import { checkpointRecord, experimentIdentity, startCheckpoints, type Checkpointer } from '../core/experiments/checkpoint';
import { ExperimentProgress } from '../core/experiments/progress';
import { probeEstimate } from '../core/experiments/planSize';
import { buildExperimentRecord, resumeFrom, type ExperimentRecord, type UnitResult } from '../core/experiments/record';
import { runExperiment, type ExperimentRun, type UnitAnalyzeOptions } from '../core/experiments/runner';
import type { ResultsPanel } from './resultsPanel';
import { isExperiment } from '../core/history';
import { OllamaClient } from '../core/ollama/client';
import { parseMix } from '../core/mix/parse';
import { detectTasks } from '../core/tasks/detect';
import { isExperimentFileText } from '../core/experiments/fileKind';
import { parseExperimentFile, serializeExperimentFile } from '../core/experiments/planFile';
import { activeExperimentFile } from './experimentFileContext';
import { calibrationWizard, chooseAction, scalingWizard, type WizardContext } from './experimentWizard';
import { toVsDiagnostic } from './diagnostics';
import type { Lab } from './lab';
import { formatSeconds } from '../core/experiments/planSize';
import { startOllamaLabel, startOrInstallOllama } from './startOllama';

/** What a run needs besides its plan. */
interface RunSettings {
  clients: OllamaClient[];
  analyzeOptions: UnitAnalyzeOptions;
  /** Units in flight per host. */
  concurrency: number;
}

/** The panel and the progress toast get news at most this often (a prompt may finish every few ms). */
const POST_MS = 250;

/** Above these, the user confirms before an experiment starts. */
const CONFIRM_REQUESTS = 500;
const CONFIRM_SECONDS = 120;

/** Scaling and calibration experiments from the editor: wizard, estimate, run, resume. */
export class ExperimentController {
  constructor(private readonly lab: Lab) {}

  private clients(): OllamaClient[] {
    const settings = this.lab.settings();
    return [settings.host, ...settings.hosts].map((host) => new OllamaClient({ host, requestTimeoutMs: settings.requestTimeoutMs }));
  }

  /** Tasks detected in the active editor's selection (or file), to prefill the wizard. */
  private detectedTasks(): string[] {
    const editor = vscode.window.activeTextEditor;
    if (!editor) return [];
    const text = editor.selection.isEmpty ? editor.document.getText() : editor.document.getText(editor.selection);
    const parsed = parseMix(text, editor.document.fileName);
    return parsed.mix ? detectTasks(parsed.mix).tasks.filter((t) => !t.custom).map((t) => t.id) : [];
  }

  async start(kind: 'scaling' | 'calibration'): Promise<void> {
    const status = await this.lab.service.refresh();
    if (!status.reachable) {
      void this.unreachable(status.error);
      return;
    }
    const settings = this.lab.settings();
    const file = activeExperimentFile();
    const draft = file ? parseExperimentFile(file.getText()).draft : undefined;
    if (file && !draft) {
      void vscode.window.showWarningMessage(`Superposition: ${vscode.workspace.asRelativePath(file.uri, false)} has problems (see "Run Experiment File"); the wizard starts from the selection instead.`);
    }
    const fromFile = draft?.kind === kind ? draft : undefined;
    const ctx: WizardContext = {
      detected: fromFile ? [] : this.detectedTasks(),
      models: status.models,
      currentModel: settings.model,
      method: settings.method,
      samples: settings.samples,
      ...(fromFile && file ? { draft: fromFile, source: vscode.workspace.asRelativePath(file.uri, false) } : {}),
    };
    const plan = kind === 'scaling' ? await scalingWizard(ctx) : await calibrationWizard(ctx);
    if (!plan) return;
    const action = await chooseAction(plan);
    if (!action) return;
    if (action !== 'start') {
      const saved = await this.savePlan(plan, file?.uri);
      if (!saved || action === 'save') return;
    }
    await this.run(plan);
  }

  /** Writes the plan as an experiment file chosen by the user; returns where, or undefined when cancelled. */
  private async savePlan(plan: ExperimentPlan, near?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const folder = near ? vscode.Uri.joinPath(near, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `${plan.kind}-experiment.superposition.json`;
    const target = await vscode.window.showSaveDialog({
      title: 'Save experiment file',
      saveLabel: 'Save Experiment',
      filters: { 'Superposition experiment': ['json'] },
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
    });
    if (!target) return undefined;
    try {
      await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(serializeExperimentFile(plan)));
    } catch (err) {
      void vscode.window.showErrorMessage(`Superposition: cannot save ${target.fsPath}: ${(err as Error).message}`);
      return undefined;
    }
    await vscode.window.showTextDocument(target, { preview: false });
    return target;
  }

  /** "Run Experiment File": the plan of a `*.superposition.json` experiment file, from the editor or the explorer. */
  async runFile(uri?: vscode.Uri): Promise<void> {
    const document = uri ? await vscode.workspace.openTextDocument(uri) : (activeExperimentFile() ?? vscode.window.activeTextEditor?.document);
    if (!document) {
      void vscode.window.showErrorMessage('Superposition: open a *.superposition.json experiment file first (or create one from the Run Scaling/Calibration Experiment wizard).');
      return;
    }
    if (!isExperimentFileText(document.getText())) {
      const choice = await vscode.window.showErrorMessage(
        `Superposition: ${vscode.workspace.asRelativePath(document.uri, false)} is not an experiment file (an experiment file is a *.superposition.json whose object has an "experiment" property).`,
        'Analyze File',
      );
      if (choice) await this.lab.analyzeFile(document.uri);
      return;
    }
    const model = this.lab.settings().model;
    const parsed = parseExperimentFile(document.getText(), { defaultModels: model ? [model] : [] });
    const origin = new vscode.Position(0, 0);
    this.lab.diagnostics.set(document.uri, parsed.diagnostics.map((d) => toVsDiagnostic(d, origin, document)));
    if (!parsed.plan) {
      const first = parsed.diagnostics.find((d) => d.severity === 'error');
      const choice = await vscode.window.showErrorMessage(
        `Superposition: ${vscode.workspace.asRelativePath(document.uri, false)} is not a runnable experiment file — ${first?.message ?? 'no experiment found'} (line ${first?.line ?? 1}).`,
        'Show Problems',
      );
      if (choice) await vscode.commands.executeCommand('workbench.actions.view.problems');
      return;
    }
    const status = await this.lab.service.refresh();
    if (!status.reachable) {
      void this.unreachable(status.error);
      return;
    }
    await this.run(parsed.plan);
  }

  private async unreachable(error: { message: string; nextStep?: string } | undefined): Promise<void> {
    const start = await startOllamaLabel();
    const choice = await vscode.window.showErrorMessage(`Superposition: ${error?.message ?? 'Ollama is not reachable.'} ${error?.nextStep ?? ''}`, start, 'Open Settings');
    if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'superposition.host');
    else if (choice) await startOrInstallOllama(choice);
  }

  async resume(id: string): Promise<void> {
    const record = await this.lab.store().loadStored(id);
    if (!isExperiment(record)) return;
    await this.run(record.plan, record);
  }

  rerun(record: ExperimentRecord): Promise<void> {
    return this.run(record.plan);
  }

  private async run(plan: ExperimentPlan, resumed?: ExperimentRecord): Promise<void> {
    let units: MeasurementUnit[];
    try {
      units = expandPlan(plan);
    } catch (err) {
      void vscode.window.showErrorMessage(`Superposition: ${(err as Error).message}`);
      return;
    }
    const settings = this.lab.settings();
    const clients = this.clients();
    this.lab.warnIfRemote(clients.map((c) => c.host));
    // The plan's method and samples (from the wizard, a file or a resumed record), the settings' for the rest.
    const analyzeOptions = { method: plan.method, samples: plan.samples, terminated: settings.terminated, keepAlive: settings.keepAlive };
    const previous = new Map<string, UnitResult>(resumed ? resumeFrom(resumed) : []);
    const todo = units.filter((u) => !previous.has(u.key));
    const simulated = plan.models.some((m) => isSimulatedModel(m, ''));

    if (todo.length > 1) {
      const confirmed = await this.probe(plan, units, todo, previous, { clients, analyzeOptions, concurrency: settings.concurrency });
      if (!confirmed) return;
    }
    await this.measure(plan, units, previous, { clients, analyzeOptions, concurrency: settings.concurrency, simulated, ...(resumed ? { resumed } : {}) });
  }

  /**
   * A short probe (one unit, kept in `previous`) gives the requests per task and the time per request;
   * the estimate scales them by each unit's K and shares them over the hosts and units in flight.
   * False when the user cancels or the probe fails.
   */
  private async probe(plan: ExperimentPlan, units: readonly MeasurementUnit[], todo: readonly MeasurementUnit[], previous: Map<string, UnitResult>, run: RunSettings): Promise<boolean> {
    const probe = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Superposition: measuring one prompt to estimate the ${plan.kind} experiment…`, cancellable: true },
      (_progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return runExperiment([todo[0]!], { clients: run.clients.slice(0, 1), analyzeOptions: run.analyzeOptions, signal: controller.signal });
      },
    );
    const measured = probe.results[0];
    if (probe.status === 'cancelled') return false;
    if (probe.status !== 'complete' || !measured) {
      void vscode.window.showErrorMessage(`Superposition: the probe measurement failed — ${probe.error?.message ?? 'unknown error'} ${probe.error?.nextStep ?? ''}`);
      return false;
    }
    previous.set(measured.key, measured);
    const { requests, seconds } = probeEstimate({ unit: todo[0]!, requests: measured.requests, durationMs: probe.durationMs }, todo.slice(1), plan, run.clients.length * run.concurrency);
    if (requests > CONFIRM_REQUESTS || seconds > CONFIRM_SECONDS) {
      const choice = await vscode.window.showWarningMessage(
        `This ${plan.kind} experiment has ${units.length} prompts × models and sends about ${requests.toLocaleString()} requests to ${run.clients.length} host${run.clients.length > 1 ? 's' : ''} (about ${formatSeconds(seconds)}).`,
        { modal: true },
        'Start',
      );
      if (choice !== 'Start') return false;
    }
    return true;
  }

  /**
   * Runs the experiment with the panel live: each finished prompt costs O(1) here (its row is
   * updated in place); the panel gets only the new units and changed rows, at most every
   * POST_MS; the record is checkpointed into the history every few seconds, so a crash or a
   * window reload keeps what was measured.
   */
  private async measure(plan: ExperimentPlan, units: readonly MeasurementUnit[], previous: ReadonlyMap<string, UnitResult>, run: RunSettings & { simulated: boolean; resumed?: ExperimentRecord }): Promise<void> {
    const { resumed, simulated, clients } = run;
    const { id: runId, createdAt } = experimentIdentity(resumed);
    const started = Date.now();
    const live = new ExperimentProgress(runId, plan, units, previous, started, resumed?.durationMs ?? 0);
    const panel = this.lab.panel(`${plan.kind === 'scaling' ? 'Scaling' : 'Calibration'} (running)`);
    const recordSoFar = () =>
      checkpointRecord(plan, { results: live.finished(), hosts: clients.map((c) => ({ host: c.host })), durationMs: Date.now() - started }, { unitCount: units.length, id: runId, createdAt, ...(resumed ? { resumed } : {}) });
    // What the panel shows while running: the units so far, none of a checkpoint's "stopped" wording.
    const { error: _checkpointNote, ...shown } = recordSoFar();
    panel.showExperiment({ ...shown, status: 'complete' }, true, simulated);
    const store = this.lab.store();
    this.lab.running.add(runId);
    const checkpoints = startCheckpoints(async () => void (await store.save(recordSoFar())), { onError: (err) => console.warn('[superposition] checkpoint failed', err) });

    let outcome: ExperimentRun;
    try {
      outcome = await this.withLiveProgress(plan, runId, live, panel, checkpoints, { ...run, units, previous });
    } finally {
      await checkpoints.stop();
      this.lab.running.delete(runId);
    }
    const record = buildExperimentRecord(plan, outcome, { unitCount: units.length, ...(resumed ? { resumed } : {}), id: runId, createdAt });
    panel.showExperiment(record, false, simulated);
    await store.save(record);
    this.lab.experiments.refresh();
    if (record.status !== 'complete') void this.offerNextSteps(record);
  }

  /** runExperiment under a cancellable notification; the panel and the toast get deltas at most every POST_MS. */
  private withLiveProgress(
    plan: ExperimentPlan,
    runId: string,
    live: ExperimentProgress,
    panel: ResultsPanel,
    checkpoints: Checkpointer,
    run: RunSettings & { units: readonly MeasurementUnit[]; previous: ReadonlyMap<string, UnitResult> },
  ): Thenable<ExperimentRun> {
    const { clients, units, previous } = run;
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Superposition: ${plan.kind} experiment`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        let reported = 0;
        const post = () => {
          if (!live.pending) return;
          const delta = live.takeDelta(Date.now());
          panel.experimentProgress(delta);
          const eta = delta.etaSeconds !== undefined ? ` · about ${formatSeconds(delta.etaSeconds)} left` : '';
          progress.report({ message: `${delta.done}/${delta.total} prompts · ${delta.requests.toLocaleString()} requests${eta}`, increment: (100 * (delta.done - reported)) / delta.total });
          reported = delta.done;
        };
        const ticker = setInterval(post, POST_MS);
        token.onCancellationRequested(() => {
          // Stop scheduling at once and say so; the units in flight end as cancelled.
          controller.abort();
          panel.experimentCancelling(runId);
          progress.report({ message: 'cancelling…' });
        });
        try {
          return await runExperiment(units, {
            clients,
            concurrency: run.concurrency,
            analyzeOptions: run.analyzeOptions,
            signal: controller.signal,
            previous,
            onUnit: (result) => {
              live.add(result);
              checkpoints.note();
            },
          });
        } finally {
          clearInterval(ticker);
          post();
        }
      },
    );
  }

  /** A cancelled or failed experiment's toast: Resume (its finished prompts are kept), Open Settings, Start Ollama. */
  private async offerNextSteps(record: ExperimentRecord): Promise<void> {
    const done = `${record.units.filter((u) => u.status === 'complete').length}/${record.unitCount} prompts`;
    if (record.status === 'cancelled') {
      const choice = await vscode.window.showInformationMessage(`Superposition: experiment cancelled after ${done} — they are kept; Resume measures the rest.`, 'Resume');
      if (choice === 'Resume') await this.resume(record.id);
      return;
    }
    const start = record.error?.kind === 'not-running' ? await startOllamaLabel() : undefined;
    const buttons = [...(start ? [start] : []), 'Resume', 'Open Settings'];
    const choice = await vscode.window.showErrorMessage(`Superposition: experiment failed after ${done} (kept) — ${record.error?.message ?? 'unknown error'} ${record.error?.nextStep ?? ''}`, ...buttons);
    if (choice === 'Resume') await this.resume(record.id);
    else if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'superposition');
    else if (choice && choice === start) await startOrInstallOllama(choice);
  }
}
