import * as vscode from 'vscode';
import type { Diagnostic } from '../core/diagnostics';

const SEVERITY: Record<Diagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/**
 * Core diagnostics are 1-based and relative to the analysed text; `origin` is where that text
 * starts in the document (the selection start, or 0:0 for a whole file).
 */
export function toVsDiagnostic(d: Diagnostic, origin: vscode.Position, document?: vscode.TextDocument): vscode.Diagnostic {
  const line = origin.line + d.line - 1;
  const column = (d.line === 1 ? origin.character : 0) + d.column - 1;
  const endColumn = d.endColumn !== undefined ? (d.line === 1 ? origin.character : 0) + d.endColumn - 1 : undefined;
  const lineLength = document && line < document.lineCount ? document.lineAt(line).text.length : column + 1;
  const start = new vscode.Position(Math.max(0, line), Math.max(0, column));
  const end = new vscode.Position(Math.max(0, line), Math.max(column + 1, endColumn ?? lineLength));
  const diagnostic = new vscode.Diagnostic(new vscode.Range(start, end), d.path ? `${d.message} (${d.path})` : d.message, SEVERITY[d.severity]);
  diagnostic.source = 'Superposition';
  diagnostic.code = d.code;
  return diagnostic;
}
