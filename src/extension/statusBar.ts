import * as vscode from 'vscode';
import { findModel } from '../core/ollama/modelName';
import type { OllamaService, OllamaStatus } from './ollamaService';

/** How often the status bar re-checks the server while the window has focus. */
const POLL_MS = 30_000;

/** The selected model is missing from a reachable server's list. */
export function modelMissing(status: Pick<OllamaStatus, 'reachable' | 'models'>, model: string): boolean {
  return Boolean(status.reachable && model && !findModel(status.models, model));
}

/**
 * Ollama reachable or not, its version and the current model (missing or not); click → model
 * picker. It follows the server on its own — a check at start, every 30 s while the window has
 * focus, and when focus comes back — so "Ollama unreachable" shows before anyone runs anything.
 */
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
    } else if (!status.reachable) {
      item.text = `$(warning) Ollama unreachable`;
      item.tooltip = `${status.error?.message ?? 'Ollama is not reachable'} ${status.error?.nextStep ?? ''}`;
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    } else if (modelMissing(status, service.model)) {
      item.text = `$(warning) ${model} not installed`;
      item.tooltip = `Ollama ${status.version} at ${status.host} has no model '${model}'. Click to pick another one or pull it.`;
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    } else {
      item.text = `$(beaker) ${model} · Ollama ${status.version}`;
      item.tooltip = `Ollama ${status.version} at ${status.host}${status.logprobs ? '' : ' (no logprobs: sampling only)'} — ${status.models.length} models. Click to pick a model.`;
      item.backgroundColor = undefined;
    }
  };
  render(service.status);
  const subscription = service.onDidChange(render);
  const check = () => {
    if (vscode.window.state.focused) void service.refresh().catch(() => undefined);
  };
  void service.refresh().catch(() => undefined);
  const timer = setInterval(check, POLL_MS);
  const focus = vscode.window.onDidChangeWindowState((s) => s.focused && check());
  item.show();
  return vscode.Disposable.from(item, subscription, focus, { dispose: () => clearInterval(timer) });
}
