/** A problem found in user input. Lines and columns are 1-based (the extension converts). */
export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  severity: Severity;
  /** Stable machine-readable code, e.g. `no-query`, `line-without-separator`. */
  code: string;
  message: string;
  line: number;
  column: number;
  /** Exclusive end column on the same line, when the problem has a span. */
  endColumn?: number;
  /** JSON path for structured files, e.g. `examples[3].output`. */
  path?: string;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

export function formatDiagnostic(d: Diagnostic, file?: string): string {
  const where = `${file ? `${file}:` : ''}${d.line}:${d.column}`;
  const path = d.path ? ` (${d.path})` : '';
  return `${where}: ${d.severity}: ${d.message}${path} [${d.code}]`;
}
