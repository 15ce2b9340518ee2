import * as vscode from 'vscode';
import { findModel } from '../core/ollama/modelName';
import type { ModelSummary } from '../core/ollama/types';

export type ModelChoice = { model: string; pull: boolean } | undefined;

type Item = vscode.QuickPickItem & { model: string; pull: boolean };

/** The installed models, and "Pull '<typed name>'…" as soon as what is typed is not one of them. */
export function pickModel(models: readonly ModelSummary[]): Promise<ModelChoice> {
  const installed: Item[] = models.map((m) => ({
    label: m.name,
    description: [m.parameterSize, m.quantization].filter(Boolean).join(' · '),
    detail: `${(m.size / 1e9).toFixed(2)} GB · ${m.digest.slice(0, 12)}`,
    model: m.name,
    pull: false,
  }));
  const pick = vscode.window.createQuickPick<Item>();
  pick.placeholder = 'Model to analyse with — or type a name to pull it from the Ollama library';
  pick.matchOnDescription = true;
  pick.items = installed;
  const pullItem = (name: string): Item => ({ label: `$(cloud-download) Pull '${name}'…`, description: 'from the Ollama library', alwaysShow: true, model: name, pull: true });
  return new Promise<ModelChoice>((resolve) => {
    let done = false;
    const finish = (choice: ModelChoice) => {
      if (done) return;
      done = true;
      resolve(choice);
      pick.dispose();
    };
    pick.onDidChangeValue((value) => {
      const name = value.trim();
      const known = findModel(models, name) !== undefined;
      pick.items = name && !known && !/\s/.test(name) ? [...installed, pullItem(name)] : installed;
    });
    pick.onDidAccept(() => {
      const item = pick.selectedItems[0];
      finish(item ? { model: item.model, pull: item.pull } : undefined);
    });
    pick.onDidHide(() => finish(undefined));
    pick.show();
  });
}
