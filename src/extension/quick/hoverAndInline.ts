import * as vscode from 'vscode';
import { exampleHover, queryHover } from '../../core/quick/hover';
import { inlineResult } from '../../core/quick/inlineResult';
import { isPromptDocument, quickPrompt } from './promptInput';
import type { QuickCheck } from './quickCheck';

/** The prompt of a document as the quick check sees it (its remembered selection, else the file). */
const promptOf = (quick: QuickCheck, document: vscode.TextDocument) => quickPrompt(document, quick.promptRange(document));

/** On an example line: the tasks that reproduce it and its output under each task; on the query line: each answer and its last probability. */
export class PromptHover implements vscode.HoverProvider {
  constructor(private readonly quick: QuickCheck) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (!isPromptDocument(document)) return undefined;
    const prompt = promptOf(this.quick, document);
    if (!prompt) return undefined;
    const line = position.line - prompt.origin.line + 1;
    const last = this.quick.lastResult(document)?.record;
    const lines = line === prompt.mix.queryLine ? queryHover(prompt.mix, prompt.detection, last) : exampleHover(prompt.mix, prompt.detection, line);
    if (!lines || lines.length === 0) return undefined;
    const markdown = new vscode.MarkdownString(lines.join('  \n'));
    markdown.supportThemeIcons = false;
    return new vscode.Hover(markdown, document.lineAt(position.line).range);
  }
}

/** The last result after the query line, as a theme-coloured decoration (toggle: superposition.inlineResult). */
export class InlineResults implements vscode.Disposable {
  private readonly type = vscode.window.createTextEditorDecorationType({
    after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 2em', fontStyle: 'italic' },
  });
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly quick: QuickCheck,
    private readonly enabled: () => boolean,
  ) {
    const all = () => vscode.window.visibleTextEditors.forEach((e) => this.render(e));
    this.disposables = [
      this.type,
      quick.onDidChange(all),
      vscode.window.onDidChangeVisibleTextEditors(all),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('superposition.inlineResult') && all()),
    ];
    all();
  }

  private render(editor: vscode.TextEditor): void {
    const document = editor.document;
    const last = this.quick.lastResult(document);
    const prompt = this.enabled() && last && isPromptDocument(document) ? promptOf(this.quick, document) : undefined;
    const result = prompt && last ? inlineResult(last.record, prompt.mix.prompt) : undefined;
    if (!prompt || !result) return editor.setDecorations(this.type, []);
    const line = prompt.origin.line + prompt.mix.queryLine - 1;
    if (line >= document.lineCount) return editor.setDecorations(this.type, []);
    const end = document.lineAt(line).range.end;
    editor.setDecorations(this.type, [
      {
        range: new vscode.Range(end, end),
        renderOptions: { after: { contentText: result.text, ...(result.stale ? { color: new vscode.ThemeColor('disabledForeground') } : {}) } },
        hoverMessage: result.stale ? 'The prompt changed since this run: analyze again for its numbers.' : `Last run: ${last!.record.model}, ${new Date(last!.record.createdAt).toLocaleString()}`,
      },
    ]);
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
