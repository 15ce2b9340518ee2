import * as vscode from 'vscode';
import { isExperimentFileText, SUPERPOSITION_JSON } from '../core/experiments/fileKind';

/** The experiment file in the active editor, if that is one (a `*.superposition.json` whose object has `experiment`). */
export function activeExperimentFile(): vscode.TextDocument | undefined {
  const document = vscode.window.activeTextEditor?.document;
  return document && SUPERPOSITION_JSON.test(document.fileName) && isExperimentFileText(document.getText()) ? document : undefined;
}

/** Keeps the `superposition.experimentFile` context key (editor-title actions) in step with the active editor. */
export function trackExperimentFileContext(): vscode.Disposable {
  const update = () => void vscode.commands.executeCommand('setContext', 'superposition.experimentFile', activeExperimentFile() !== undefined);
  update();
  return vscode.Disposable.from(
    vscode.window.onDidChangeActiveTextEditor(update),
    vscode.workspace.onDidSaveTextDocument((d) => {
      if (d === vscode.window.activeTextEditor?.document) update();
    }),
  );
}
