import * as vscode from 'vscode';
import { Lab } from './lab';
import { registerPanelSerializer } from './resultsPanel';
import { createStatusBar } from './statusBar';
import { OllamaTree } from './views/ollamaTree';

/** Activation registers commands, views and listeners only: no network I/O here. */
export function activate(context: vscode.ExtensionContext): void {
  const lab = new Lab(context);
  const ollamaTree = new OllamaTree(lab.service);
  const command = (id: string, handler: (...args: unknown[]) => unknown) => vscode.commands.registerCommand(`superposition.${id}`, handler);

  context.subscriptions.push(
    lab,
    ollamaTree,
    vscode.window.registerTreeDataProvider('superposition.experiments', lab.experiments),
    vscode.window.registerTreeDataProvider('superposition.ollama', ollamaTree),
    createStatusBar(lab.service),
    registerPanelSerializer(context.extensionUri, lab, (id) => lab.store().load(id), (panel) => lab.adoptPanel(panel)),
    command('analyzeSelection', () => lab.analyzeSelection()),
    // The editor context menu's entry: the same command under a name that says what it does there.
    command('analyzePromptSuperposition', () => lab.analyzeSelection()),
    command('analyzeFile', (uri) => lab.analyzeFile(uri instanceof vscode.Uri ? uri : undefined)),
    command('selectModel', (name) => lab.selectModel(name)),
    command('pullModel', () => lab.pullModel()),
    command('showOllamaStatus', () => lab.showOllamaStatus()),
    command('openRun', (node) => lab.openRun(node)),
    command('rerun', (node) => lab.rerun(node)),
    command('compareRuns', (node) => lab.compareRuns(node)),
    command('exportRun', (node) => lab.exportRun(node)),
    command('deleteRun', (node) => lab.deleteRun(node)),
    command('revealRunFile', (node) => lab.revealRunFile(node)),
    command('runScalingExperiment', () => lab.experimentRuns.start('scaling')),
    command('runCalibrationExperiment', () => lab.experimentRuns.start('calibration')),
    command('resumeExperiment', (node) => lab.resumeFromTree(node)),
    command('runExperimentFile', (uri) => lab.experimentRuns.runFile(uri instanceof vscode.Uri ? uri : undefined)),
    lab.experimentRuns.trackActiveEditor(),
    command('refreshOllama', () => lab.service.refresh()),
    command('refreshHistory', () => lab.experiments.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('superposition')) lab.onSettingsChanged();
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => lab.onSettingsChanged()),
    vscode.workspace.onDidChangeWorkspaceFolders(() => lab.experiments.refresh()),
  );
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
