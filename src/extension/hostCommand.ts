import * as vscode from 'vscode';
import { hostProblem } from '../core/ollama/host';

/**
 * "Set Ollama Host…": asks for the URL and where to keep it. User settings apply in every window —
 * in Remote and code-server windows too (the setting is window-scoped, read on the extension host);
 * workspace settings only here (and are ignored while the workspace is untrusted).
 */
export async function setOllamaHost(current: string): Promise<boolean> {
  const value = await vscode.window.showInputBox({
    title: 'Ollama host',
    prompt: 'URL of the Ollama server, as seen from where the extension runs (empty: OLLAMA_HOST, else http://127.0.0.1:11434)',
    value: current,
    validateInput: hostProblem,
  });
  if (value === undefined) return false;
  const targets = [
    { label: 'User settings', description: 'every window, Remote and code-server included', target: vscode.ConfigurationTarget.Global },
    ...(vscode.workspace.workspaceFolders?.length ? [{ label: 'Workspace settings', description: 'this workspace only', target: vscode.ConfigurationTarget.Workspace }] : []),
  ];
  const where = targets.length === 1 ? targets[0] : await vscode.window.showQuickPick(targets, { title: 'Keep the host in…' });
  if (!where) return false;
  await vscode.workspace.getConfiguration('superposition').update('host', value.trim() === '' ? undefined : value.trim(), where.target);
  return true;
}
