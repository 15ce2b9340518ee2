import * as vscode from 'vscode';
import { fixTitle, measurementDiagnostics, type FixKind, type MeasurementDiagnostic } from '../../core/quick/measurementRules';
import { Debouncer } from '../../core/quick/debounce';
import { balanceMix, pickDistinctQuery, removeTaskExamples, toStructuredMix } from '../../core/quick/quickFixes';
import { toVsDiagnostic } from '../diagnostics';
import { preparePrompt, type PromptInput } from './promptInput';
import type { QuickCheck } from './quickCheck';

const UPDATE_DELAY_MS = 250;

/** Diagnostics from the last measurement of a prompt, re-checked as the text changes. */
export class MeasurementDiagnostics implements vscode.CodeActionProvider, vscode.Disposable {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];
  private readonly collection = vscode.languages.createDiagnosticCollection('superposition-measurements');
  /** The core diagnostic behind each shown one (its fixes). */
  private readonly origins = new WeakMap<vscode.Diagnostic, { diagnostic: MeasurementDiagnostic; input: PromptInput }>();
  private readonly disposables: vscode.Disposable[];
  private seed = 1;
  /** Typing fires a change per keystroke; re-checking (custom tables are read) waits for a pause. */
  private readonly debouncer = new Debouncer<string>(UPDATE_DELAY_MS);

  constructor(private readonly quick: QuickCheck) {
    this.disposables = [this.collection, this.debouncer, quick.onDidChange((uri) => uri && this.debouncer.schedule(uri.toString(), () => this.update(uri)))];
  }

  /** Recomputes a document's diagnostics: its last record against its current prompt (none once the prompt changed). */
  async update(uri: vscode.Uri): Promise<void> {
    const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    const last = document && this.quick.lastResult(document);
    if (!document || !last) return this.collection.delete(uri);
    const prepared = await preparePrompt(document, this.quick.promptRange(document));
    if (!prepared.ok) return this.collection.delete(uri);
    const input = prepared.input;
    const shown = measurementDiagnostics(last.record, input.mix, input.detection).map((d) => {
      const vs = toVsDiagnostic(d, input.origin, document);
      vs.source = 'superposition';
      this.origins.set(vs, { diagnostic: d, input });
      return vs;
    });
    this.collection.set(uri, shown);
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      const origin = this.origins.get(diagnostic);
      if (!origin) continue;
      for (const fix of origin.diagnostic.fixes) {
        const action = new vscode.CodeAction(fixTitle(fix), vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        action.command = { command: 'superposition.applyQuickFix', title: fixTitle(fix), arguments: [document.uri, fix, this.seed++] };
        actions.push(action);
      }
    }
    return actions;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** Applies a quick fix to the prompt (an edit of its text, or a new *.superposition.json file beside it). */
export async function applyQuickFix(quick: QuickCheck, uri: vscode.Uri, fix: FixKind, seed: number): Promise<void> {
  const document = await vscode.workspace.openTextDocument(uri);
  const range = quick.promptRange(document);
  const prepared = await preparePrompt(document, range);
  if (!prepared.ok) return void vscode.window.showErrorMessage('Superposition: the prompt no longer parses; fix the problems first.');
  const { mix, detection } = prepared.input;
  const target = prepared.input.range;
  const text = document.getText(target);
  const result =
    fix.kind === 'balance-mix' ? balanceMix(text, mix, detection, seed)
    : fix.kind === 'remove-task-examples' ? removeTaskExamples(text, mix, detection, fix.taskId)
    : fix.kind === 'pick-distinct-query' ? pickDistinctQuery(text, mix, detection, seed)
    : toStructuredMix(mix, detection);
  if (!result.ok) return void vscode.window.showErrorMessage(`Superposition: ${result.error}`);
  const edit = new vscode.WorkspaceEdit();
  if (fix.kind === 'to-structured') {
    const file = vscode.Uri.joinPath(uri, '..', `${uri.path.split('/').pop()!.replace(/(\.fewshot)?(\.txt)?$/i, '')}.superposition.json`);
    edit.createFile(file, { ignoreIfExists: false, contents: new TextEncoder().encode(result.text) });
    if (!(await vscode.workspace.applyEdit(edit))) return void vscode.window.showErrorMessage(`Superposition: ${vscode.workspace.asRelativePath(file)} exists already.`);
    await vscode.window.showTextDocument(file);
    return;
  }
  edit.replace(uri, target, result.text);
  if (!(await vscode.workspace.applyEdit(edit))) return;
  if (range) {
    // The remembered selection now spans the edited prompt.
    const lines = result.text.split('\n');
    const end = new vscode.Position(target.start.line + lines.length - 1, (lines.length === 1 ? target.start.character : 0) + lines[lines.length - 1]!.length);
    quick.rememberSelection(document, new vscode.Range(target.start, end));
  }
  if (result.note) vscode.window.setStatusBarMessage(`Superposition: ${result.note}`, 8000);
}
