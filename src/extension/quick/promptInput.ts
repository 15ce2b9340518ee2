import * as vscode from 'vscode';
import { hasErrors, type Diagnostic } from '../../core/diagnostics';
import { isExperimentFileText, SUPERPOSITION_JSON } from '../../core/experiments/fileKind';
import { parseMix } from '../../core/mix/parse';
import type { PromptMix } from '../../core/mix/types';
import { loadCustomTables } from '../../core/tasks/customTable';
import { detectTasks, type Detection } from '../../core/tasks/detect';

/** A prompt of a document, parsed and detected: what an analysis measures. */
export interface PromptInput {
  mix: PromptMix;
  detection: Detection;
  /** Where the analysed text starts in the document (0:0 for a whole file). */
  origin: vscode.Position;
  /** The analysed range (the whole file, or a selection). */
  range: vscode.Range;
  /** Parse and detection diagnostics (no errors). */
  diagnostics: Diagnostic[];
  source: string;
}

export type Prepared = { ok: true; input: PromptInput } | { ok: false; diagnostics: Diagnostic[]; origin: vscode.Position };

/** Prompt files: `.txt`, `.fewshot`, `*.fewshot.txt` and `*.superposition.json` prompt mixes (not experiment files). */
export function isPromptDocument(document: vscode.TextDocument): boolean {
  if (document.uri.scheme !== 'file' && document.uri.scheme !== 'untitled' && document.uri.scheme !== 'vscode-remote') return false;
  if (SUPERPOSITION_JSON.test(document.fileName)) return !isExperimentFileText(document.getText());
  return /\.(txt|fewshot)$/i.test(document.fileName) || document.languageId === 'fewshot';
}

/**
 * The prompt in `range` (default: the whole document) parsed and detected cheaply — no custom
 * tables, no diagnostics — for what is redrawn as the user types (lenses, hovers, the inline result).
 */
export function quickPrompt(document: vscode.TextDocument, range: vscode.Range | undefined): { mix: PromptMix; detection: Detection; origin: vscode.Position } | undefined {
  const parsed = parseMix(document.getText(range), range ? undefined : document.fileName);
  if (!parsed.mix) return undefined;
  return { mix: parsed.mix, detection: detectTasks(parsed.mix), origin: range?.start ?? new vscode.Position(0, 0) };
}

/** Parses the prompt in `range` (default: the whole document), loads custom tables, detects the tasks. */
export async function preparePrompt(document: vscode.TextDocument, range?: vscode.Range): Promise<Prepared> {
  const whole = range === undefined;
  const target = range ?? new vscode.Range(new vscode.Position(0, 0), document.lineAt(Math.max(0, document.lineCount - 1)).range.end);
  const text = document.getText(target);
  const origin = target.start;
  const fileName = whole || /\.json$/i.test(document.fileName) ? document.fileName : undefined;
  const parsed = parseMix(text, fileName);
  if (!parsed.mix || hasErrors(parsed.diagnostics)) return { ok: false, diagnostics: parsed.diagnostics, origin };
  const tables = await loadCustomTables(parsed.mix.customTasks ?? [], {
    trusted: vscode.workspace.isTrusted,
    read: async (relativePath) => new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.joinPath(document.uri, '..', relativePath))),
  });
  if (tables.diagnostics.length > 0) return { ok: false, diagnostics: [...parsed.diagnostics, ...tables.diagnostics], origin };
  const detection = detectTasks(parsed.mix, { tables: tables.tables });
  const diagnostics = [...parsed.diagnostics, ...detection.diagnostics];
  if (hasErrors(detection.diagnostics)) return { ok: false, diagnostics, origin };
  return { ok: true, input: { mix: parsed.mix, detection, origin, range: target, diagnostics, source: vscode.workspace.asRelativePath(document.uri, false) } };
}
