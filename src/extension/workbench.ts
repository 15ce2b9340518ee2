import * as vscode from 'vscode';
import { Lab } from './lab';
import { restorePanel } from './resultsPanel';
import { createStatusBar } from './statusBar';
import { OllamaTree } from './views/ollamaTree';
import { registerQuickCheck } from './quick/register';
import type { QuickCheck } from './quick/quickCheck';

/** Everything behind the commands and views: loaded on first use (see extension.ts), not at activation. */
export interface Workbench {
  lab: Lab;
  ollamaTree: OllamaTree;
  quick: QuickCheck;
  restore(panel: vscode.WebviewPanel, state: unknown): Promise<void>;
}

export function createWorkbench(context: vscode.ExtensionContext): Workbench {
  const lab = new Lab(context);
  const ollamaTree = new OllamaTree(lab.service);
  const quick = registerQuickCheck(lab, context);
  lab.quick = quick.quick;
  context.subscriptions.push(
    quick.disposable,
    lab,
    ollamaTree,
    createStatusBar(lab.service),
    vscode.workspace.onDidGrantWorkspaceTrust(() => lab.onSettingsChanged()),
    vscode.workspace.onDidChangeWorkspaceFolders(() => lab.experiments.refresh()),
  );
  return {
    lab,
    ollamaTree,
    quick: quick.quick,
    restore: (panel, state) => restorePanel(panel, state, context.extensionUri, lab, (id) => lab.store().load(id), (p) => lab.adoptPanel(p)),
  };
}
