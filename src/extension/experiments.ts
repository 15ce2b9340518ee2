import * as vscode from 'vscode';
import { isSimulatedModel } from '../core/analyze';
import { expandPlan, type ExperimentPlan, type MeasurementUnit } from '../core/experiments/plan';
import { buildExperimentRecord, resumeFrom, type ExperimentRecord, type UnitResult } from '../core/experiments/record';
import { runExperiment, type ExperimentRun } from '../core/experiments/runner';
import { isExperiment } from '../core/history';
import { OllamaClient } from '../core/ollama/client';
import { parseMix } from '../core/mix/parse';
import { detectTasks } from '../core/tasks/detect';
import { calibrationWizard, scalingWizard, type WizardContext } from './experimentWizard';
import type { Lab } from './lab';

/** Above these, the user confirms before an experiment starts. */
const CONFIRM_REQUESTS = 500;
const CONFIRM_SECONDS = 120;

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 90 ? `${m} min` : `${(m / 60).toFixed(1)} h`;
}

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
      void vscode.window.showErrorMessage(`Superposition: ${status.error?.message ?? 'Ollama is not reachable.'} ${status.error?.nextStep ?? ''}`);
      return;
    }
    const settings = this.lab.settings();
    const ctx: WizardContext = { detected: this.detectedTasks(), models: status.models, currentModel: settings.model, method: settings.method, samples: settings.samples };
    const plan = kind === 'scaling' ? await scalingWizard(ctx) : await calibrationWizard(ctx);
    if (plan) await this.run(plan);
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
    const analyzeOptions = { method: settings.method, samples: settings.samples, terminated: settings.terminated, keepAlive: settings.keepAlive };
    const previous = new Map<string, UnitResult>(resumed ? resumeFrom(resumed) : []);
    const todo = units.filter((u) => !previous.has(u.key));
    const simulated = plan.models.some((m) => isSimulatedModel(m, ''));

    // A short probe (one unit, kept as a result) gives the request count and time per unit.
    if (todo.length > 1) {
      const probe = await runExperiment([todo[0]!], { clients: clients.slice(0, 1), analyzeOptions });
      const measured = probe.results[0];
      if (probe.status !== 'complete' || !measured) {
        void vscode.window.showErrorMessage(`Superposition: the probe measurement failed — ${probe.error?.message ?? 'unknown error'} ${probe.error?.nextStep ?? ''}`);
        return;
      }
      previous.set(measured.key, measured);
      const requests = measured.requests * todo.length;
      const etaMs = (probe.durationMs * (todo.length - 1)) / Math.max(1, clients.length);
      if (requests > CONFIRM_REQUESTS || etaMs > CONFIRM_SECONDS * 1000) {
        const choice = await vscode.window.showWarningMessage(
          `This ${plan.kind} experiment has ${units.length} prompts × models and sends about ${requests.toLocaleString()} requests to ${clients.length} host${clients.length > 1 ? 's' : ''} (about ${formatDuration(etaMs)}).`,
          { modal: true },
          'Start',
        );
        if (choice !== 'Start') return;
      }
    }

    const id = resumed?.id;
    const startedAt = resumed?.createdAt ?? new Date().toISOString();
    const panel = this.lab.panel(`${plan.kind === 'scaling' ? 'Scaling' : 'Calibration'} (running)`);
    const started = Date.now();
    const results = new Map<string, UnitResult>(previous);
    const provisional = (status: ExperimentRun['status']): ExperimentRun => ({
      status,
      results: units.map((u) => results.get(u.key)).filter((r): r is UnitResult => r !== undefined),
      measured: results.size - previous.size,
      reused: previous.size,
      hosts: clients.map((c) => ({ host: c.host })),
      models: plan.models.map((name) => ({ name })),
      requests: [...results.values()].reduce((a, r) => a + r.requests, 0),
      durationMs: Date.now() - started,
    });
    const placeholder = buildExperimentRecord(plan, provisional('complete'), { unitCount: units.length, ...(resumed ? { resumed } : {}), createdAt: startedAt });
    const runId = id ?? placeholder.id;
    panel.showExperiment({ ...placeholder, id: runId }, true, simulated);

    const run = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Superposition: ${plan.kind} experiment`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return runExperiment(units, {
          clients,
          concurrency: settings.concurrency,
          analyzeOptions,
          signal: controller.signal,
          previous,
          onUnit: (result, done, total) => {
            results.set(result.key, result);
            const elapsed = Date.now() - started;
            const fresh = Math.max(1, results.size - previous.size);
            const eta = (elapsed / fresh) * Math.max(0, total - done);
            progress.report({ message: `${done}/${total} prompts · ${provisional('complete').requests} requests · ETA ${formatDuration(eta)}`, increment: 100 / total });
            panel.showExperiment({ ...buildExperimentRecord(plan, provisional('complete'), { unitCount: total, ...(resumed ? { resumed } : {}), createdAt: startedAt }), id: runId, status: 'complete' }, true, simulated);
          },
        });
      },
    );
    const record = buildExperimentRecord(plan, run, { unitCount: units.length, ...(resumed ? { resumed } : {}), id: runId, createdAt: startedAt });
    panel.showExperiment(record, false, simulated);
    await this.lab.store().save(record);
    this.lab.experiments.refresh();
    if (record.status === 'cancelled') {
      void vscode.window.showInformationMessage(`Superposition: experiment cancelled after ${record.units.length}/${record.unitCount} prompts — Resume it from the Experiments view.`);
    } else if (record.status === 'failed') {
      void vscode.window.showErrorMessage(`Superposition: experiment failed — ${record.error?.message ?? ''} ${record.error?.nextStep ?? ''} Resume it from the Experiments view once fixed.`);
    }
  }
}
