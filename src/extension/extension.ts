import * as vscode from 'vscode';
import { trackExperimentFileContext } from './experimentFileContext';
import { LazyTreeProvider } from './lazyTree';
import { RESULTS_VIEW_TYPE } from './viewTypes';
import type { Workbench } from './workbench';

/** Once VS Code has settled, the status bar and the history come up without waiting for a command. */
const IDLE_LOAD_MS = 1500;

/**
 * Activation registers commands, views and listeners only: no network I/O, and not even the engine
 * (parsers, tasks, zod schemas, the Ollama client) — that is loaded on the first command, view or
 * restored panel, or shortly after start-up, so activation stays off VS Code's critical path.
 */
export function activate(context: vscode.ExtensionContext): void {
  let loading: Promise<Workbench> | undefined;
  const workbench = (): Promise<Workbench> =>
    (loading ??= import('./workbench')
      .then((m) => m.createWorkbench(context))
      .catch((err: unknown) => {
        loading = undefined; // the next command tries again
        void vscode.window.showErrorMessage(`Superposition Lab could not start: ${err instanceof Error ? err.message : String(err)}`);
        throw err;
      }));
  const command = (id: string, handler: (w: Workbench, ...args: unknown[]) => unknown) =>
    vscode.commands.registerCommand(`superposition.${id}`, async (...args: unknown[]) => handler(await workbench(), ...args));
  const experimentsView = new LazyTreeProvider(async () => (await workbench()).lab.experiments);
  const ollamaView = new LazyTreeProvider(async () => (await workbench()).ollamaTree);
  const idle = setTimeout(() => workbench().catch(() => undefined), IDLE_LOAD_MS);

  context.subscriptions.push(
    experimentsView,
    ollamaView,
    vscode.window.registerTreeDataProvider('superposition.experiments', experimentsView),
    vscode.window.registerTreeDataProvider('superposition.ollama', ollamaView),
    vscode.window.registerWebviewPanelSerializer(RESULTS_VIEW_TYPE, { deserializeWebviewPanel: async (panel, state) => (await workbench()).restore(panel, state) }),
    trackExperimentFileContext(),
    command('analyzeSelection', (w) => w.lab.analyzeSelection()),
    // The editor context menu's entry: the same command under a name that says what it does there.
    command('analyzePromptSuperposition', (w) => w.lab.analyzeSelection()),
    command('analyzeFile', (w, uri) => w.lab.analyzeFile(uri instanceof vscode.Uri ? uri : undefined)),
    command('selectModel', (w, name) => w.lab.selectModel(name)),
    command('pullModel', (w) => w.lab.pullModel()),
    command('showOllamaStatus', (w) => w.lab.showOllamaStatus()),
    command('openRun', (w, node) => w.lab.openRun(node)),
    command('rerun', (w, node) => w.lab.rerun(node)),
    command('compareRuns', (w, node) => w.lab.compareRuns(node)),
    command('exportRun', (w, node) => w.lab.exportRun(node)),
    command('deleteRun', (w, node) => w.lab.deleteRun(node)),
    command('revealRunFile', (w, node) => w.lab.revealRunFile(node)),
    command('runScalingExperiment', (w) => w.lab.experimentRuns.start('scaling')),
    command('runCalibrationExperiment', (w) => w.lab.experimentRuns.start('calibration')),
    command('resumeExperiment', (w, node) => w.lab.resumeFromTree(node)),
    command('runExperimentFile', (w, uri) => w.lab.experimentRuns.runFile(uri instanceof vscode.Uri ? uri : undefined)),
    command('refreshOllama', (w) => w.lab.service.refresh()),
    command('setHost', (w) => w.lab.setHost()),
    command('refreshHistory', (w) => w.lab.experiments.refresh()),
    command('quickCheck', async (w, uri) => (await import('./quick/register')).quickCommands.quickCheck(w.quick, uri)),
    command('toggleAnalyzeOnSave', async (w, uri) => (await import('./quick/register')).quickCommands.toggleAnalyzeOnSave(w.quick, uri)),
    command('toggleInlineResult', async () => (await import('./quick/register')).quickCommands.toggleInlineResult()),
    command('applyQuickFix', async (w, uri, fix, seed) => (await import('./quick/register')).quickCommands.applyQuickFix(w.quick, uri, fix, seed)),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('superposition') && loading) loading.then((w) => w.lab.onSettingsChanged()).catch(() => undefined);
    }),
    { dispose: () => clearTimeout(idle) },
  );
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
