import * as vscode from 'vscode';
import { formatComparisonCsv, formatComparisonJson, orderBeforeAfter, type BeforeAfter } from '../core/comparison';
import { isExperiment, type StoredRecord } from '../core/history';
import type { RunRecord } from '../core/record';
import { writeExport } from './exports';

/** Read-only documents holding the prompts of compared runs, for VS Code's diff editor. */
export const PROMPT_SCHEME = 'superposition-prompt';

export class PromptDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly prompts = new Map<string, string>();
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(PROMPT_SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.prompts.get(uri.path) ?? '';
  }

  uriFor(side: 'Before' | 'After', record: RunRecord): vscode.Uri {
    const path = `/${side}/${record.id}.txt`;
    this.prompts.set(path, record.input.prompt);
    return vscode.Uri.from({ scheme: PROMPT_SCHEME, path });
  }

  dispose(): void {
    this.registration.dispose();
  }
}

/** The two analysis runs of a comparison, Before first; an error message when they are not. */
async function pairOf(load: (id: string) => Promise<StoredRecord>, beforeId: string, afterId: string): Promise<BeforeAfter> {
  const [a, b] = await Promise.all([load(beforeId), load(afterId)]);
  if (isExperiment(a) || isExperiment(b)) throw new Error('both must be single analyses');
  return orderBeforeAfter(a, b);
}

export async function showPromptDiff(documents: PromptDocuments, load: (id: string) => Promise<StoredRecord>, beforeId: string, afterId: string): Promise<void> {
  try {
    const { before, after } = await pairOf(load, beforeId, afterId);
    const title = `Prompt: Before (${new Date(before.createdAt).toLocaleString()}) ↔ After (${new Date(after.createdAt).toLocaleString()})`;
    await vscode.commands.executeCommand('vscode.diff', documents.uriFor('Before', before), documents.uriFor('After', after), title, { preview: true });
  } catch (err) {
    void vscode.window.showErrorMessage(`Superposition: cannot show the prompt diff: ${(err as Error).message}. Open both runs from the Experiments view and compare them again.`);
  }
}

export async function exportComparison(
  load: (id: string) => Promise<StoredRecord>,
  fallback: vscode.Uri,
  beforeId: string,
  afterId: string,
  format: 'json' | 'csv' | 'png',
  dataUrl?: string,
): Promise<void> {
  try {
    const pair = await pairOf(load, beforeId, afterId);
    if (format === 'png' && !dataUrl) return;
    const bytes =
      format === 'png'
        ? Buffer.from(dataUrl!.slice('data:image/png;base64,'.length), 'base64')
        : new TextEncoder().encode(format === 'csv' ? formatComparisonCsv(pair) : formatComparisonJson(pair));
    await writeExport(fallback, pair.after, format, bytes, 'compare-');
  } catch (err) {
    void vscode.window.showErrorMessage(`Superposition: export failed: ${(err as Error).message}`);
  }
}
