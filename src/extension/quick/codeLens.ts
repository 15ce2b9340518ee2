import * as vscode from 'vscode';
import { lensAfterRun, lensBeforeRun } from '../../core/quick/lensText';
import { isPromptDocument, quickPrompt } from './promptInput';
import type { QuickCheck } from './quickCheck';

/** Relative times on the lenses ("2 min ago") are redrawn this often. */
const CLOCK_MS = 60_000;

/**
 * Above each prompt (the whole file, or the selection analysed last): "▷ Analyze · 4 tasks · …"
 * before any run; after one, "last: digits 42% · … — gemma3:270m · 2 min ago" (opens the run) and
 * "▷ Analyze" beside it. Parsing here is the cheap part only (no tables, no model).
 */
export class PromptCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly quick: QuickCheck,
    private readonly enabled: () => boolean,
  ) {
    const clock = setInterval(() => this.emitter.fire(), CLOCK_MS);
    this.disposables = [this.emitter, quick.onDidChange(() => this.emitter.fire()), { dispose: () => clearInterval(clock) }];
  }

  refresh(): void {
    this.emitter.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!this.enabled() || !isPromptDocument(document)) return [];
    const range = this.quick.promptRange(document);
    const at = new vscode.Range((range?.start ?? new vscode.Position(0, 0)).line, 0, (range?.start ?? new vscode.Position(0, 0)).line, 0);
    const prompt = quickPrompt(document, range);
    const analyze = { command: 'superposition.quickCheck', arguments: [document.uri], tooltip: 'Measure this prompt now (an unchanged prompt is answered from the last measurement)' };
    const last = this.quick.lastResult(document);
    if (last) {
      const title = lensAfterRun(last.record, { now: Date.now(), ...(prompt ? { prompt: prompt.mix.prompt } : {}) });
      return [
        new vscode.CodeLens(at, { title, command: 'superposition.openRun', arguments: [last.record.id], tooltip: 'Open this run in the results panel' }),
        new vscode.CodeLens(at, { ...analyze, title: '▷ Analyze' }),
      ];
    }
    if (!prompt) return [new vscode.CodeLens(at, { ...analyze, title: '▷ Analyze (see Problems first)' })];
    return [new vscode.CodeLens(at, { ...analyze, title: lensBeforeRun(prompt.detection) })];
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
