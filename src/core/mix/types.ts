import type { Diagnostic } from '../diagnostics';

export const SEPARATORS = ['->', '=>', '=', ':', '\t'] as const;
export type Separator = (typeof SEPARATORS)[number];

export interface Example {
  input: string;
  output: string;
  /** 1-based line in the source text (structured files: 0 when not applicable). */
  line: number;
  /** Task id given explicitly (structured files only). */
  task?: string;
}

/** A custom task declared in a structured file. */
export interface CustomTaskSpec {
  id: string;
  /** Answer for the query, when given inline. */
  answer?: string;
  /** Workspace-relative path of a JSON object or a two-column CSV (input,output). */
  table?: string;
  label?: string;
}

/** A parsed prompt mix: few-shot examples plus one query, in the paper's format. */
export interface PromptMix {
  separator: Separator;
  examples: Example[];
  /** Query input, without the separator. */
  query: string;
  queryLine: number;
  /** Task ids listed explicitly (structured files); built-in ids or custom ids. */
  tasks?: string[];
  customTasks?: CustomTaskSpec[];
  /** The exact prompt sent to the model: examples joined by "\n", then "\n" + query + separator. */
  prompt: string;
}

export interface ParseResult {
  mix?: PromptMix;
  diagnostics: Diagnostic[];
}

/** Builds the raw prompt exactly as the paper does: no spaces added, no trailing newline. */
export function buildPrompt(examples: readonly Pick<Example, 'input' | 'output'>[], query: string, separator: string): string {
  const lines = examples.map((e) => `${e.input}${separator}${e.output}`);
  lines.push(`${query}${separator}`);
  return lines.join('\n');
}
