import * as vscode from 'vscode';
import { isPromptDocument } from './promptInput';
import type { QuickCheck } from './quickCheck';

/** For the active prompt file: whether it is analysed on save; click toggles. */
export function createOnSaveStatus(quick: QuickCheck): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('superposition.analyzeOnSave', vscode.StatusBarAlignment.Right, 99);
  item.name = 'Superposition: analyze on save';
  item.command = 'superposition.toggleAnalyzeOnSave';
  const render = () => {
    const document = vscode.window.activeTextEditor?.document;
    if (!document || !isPromptDocument(document)) return item.hide();
    const on = quick.isOnSave(document.uri);
    item.text = on ? '$(eye) Analyze on save' : '$(eye-closed) Analyze on save';
    item.tooltip = on
      ? `Each save of this file measures its prompt (an unchanged prompt is answered from the last measurement, with no model request). ${quick.counts.cached} answered from the cache, ${quick.counts.measured} measured this session. Click to turn off.`
      : 'Click to measure this prompt each time the file is saved.';
    item.show();
  };
  render();
  return vscode.Disposable.from(item, vscode.window.onDidChangeActiveTextEditor(render), quick.onDidChange(render));
}
