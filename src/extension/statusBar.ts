import * as vscode from 'vscode';
import type { OllamaService, OllamaStatus } from './ollamaService';

/** Ollama reachable or not, its version and the current model; click → model picker. */
export function createStatusBar(service: OllamaService): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('superposition.status', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Superposition Lab';
  item.command = 'superposition.selectModel';
  const render = (status: OllamaStatus) => {
    const model = service.model || 'no model';
    if (status.reachable === undefined) {
      item.text = `$(beaker) ${model}`;
      item.tooltip = `Ollama at ${status.host} — not checked yet. Click to pick a model.`;
      item.backgroundColor = undefined;
    } else if (status.reachable) {
      item.text = `$(beaker) ${model} · Ollama ${status.version}`;
      item.tooltip = `Ollama ${status.version} at ${status.host}${status.logprobs ? '' : ' (no logprobs: sampling only)'} — ${status.models.length} models. Click to pick a model.`;
      item.backgroundColor = undefined;
    } else {
      item.text = `$(warning) Ollama unreachable`;
      item.tooltip = `${status.error?.message ?? 'Ollama is not reachable'} ${status.error?.nextStep ?? ''}`;
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    }
  };
  render(service.status);
  const subscription = service.onDidChange(render);
  item.show();
  return vscode.Disposable.from(item, subscription);
}
