/**
 * "Start Ollama": runs `ollama serve` in a terminal when the binary is on PATH, otherwise offers
 * "Install Ollama…" (the download page). Wiring only.
 */
import { execFile } from 'node:child_process';
import * as vscode from 'vscode';

export const OLLAMA_DOWNLOAD = 'https://ollama.com/download';
export const START_OLLAMA = 'Start Ollama';
export const INSTALL_OLLAMA = 'Install Ollama…';

/** Whether `ollama` is on this extension host's PATH. */
export function ollamaOnPath(): Promise<boolean> {
  const [cmd, args] = process.platform === 'win32' ? ['where', ['ollama']] : ['sh', ['-c', 'command -v ollama']];
  return new Promise((resolve) => execFile(cmd, args, { timeout: 3000 }, (err, stdout) => resolve(!err && stdout.trim() !== '')));
}

/** The button to offer when Ollama is not reachable. */
export async function startOllamaLabel(): Promise<string> {
  return (await ollamaOnPath()) ? START_OLLAMA : INSTALL_OLLAMA;
}

/** Acts on START_OLLAMA / INSTALL_OLLAMA; resolves once the terminal is started or the page opened. */
export async function startOrInstallOllama(choice: string): Promise<void> {
  if (choice === INSTALL_OLLAMA || !(await ollamaOnPath())) {
    void vscode.env.openExternal(vscode.Uri.parse(OLLAMA_DOWNLOAD));
    return;
  }
  const terminal = vscode.window.terminals.find((t) => t.name === 'Ollama') ?? vscode.window.createTerminal({ name: 'Ollama' });
  terminal.show(true);
  terminal.sendText('ollama serve');
  void vscode.window.showInformationMessage('Superposition: `ollama serve` is starting in the "Ollama" terminal; run the analysis again once it listens.');
}
