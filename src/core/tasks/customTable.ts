import type { Diagnostic } from '../diagnostics';

export interface TableResult {
  table?: Map<string, string>;
  diagnostics: Diagnostic[];
}

/**
 * A custom task's lookup table: a JSON object {"input": "output", …} or a CSV with two columns
 * (input,output; an optional header row `input,output`; double quotes for fields with commas).
 */
export function parseTable(text: string, fileName: string): TableResult {
  const diagnostics: Diagnostic[] = [];
  const error = (message: string, line = 1, column = 1): TableResult => ({
    diagnostics: [{ severity: 'error', code: 'table', message: `${fileName}: ${message}`, line, column }],
  });
  if (text.includes('\u0000')) return error('the table is binary, not text');
  if (/\.json$/i.test(fileName)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      return error(`invalid JSON (${(err as Error).message})`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return error('a JSON table must be an object mapping inputs to outputs');
    const table = new Map<string, string>();
    for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof value !== 'string') return error(`the output for "${key}" must be a string`);
      table.set(key, value);
    }
    return { table, diagnostics };
  }
  const table = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!line.trim()) continue;
    const fields = splitCsvLine(line);
    if (!fields || fields.length !== 2) return error('each CSV row needs exactly two fields: input,output', i + 1);
    const [input, output] = fields as [string, string];
    if (i === 0 && input.trim().toLowerCase() === 'input' && output.trim().toLowerCase() === 'output') continue;
    table.set(input, output);
  }
  if (table.size === 0) return error('the table is empty');
  return { table, diagnostics };
}

function splitCsvLine(line: string): string[] | undefined {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= line.length) return undefined;
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i++];
      }
      fields.push(value);
      if (i < line.length && line[i] !== ',') return undefined;
      i++;
    } else {
      const comma = line.indexOf(',', i);
      const end = comma < 0 ? line.length : comma;
      fields.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}

export interface CustomTablesResult {
  tables: Map<string, Map<string, string>>;
  diagnostics: Diagnostic[];
}

/**
 * Loads the lookup tables of a mix's custom tasks through `read` (a path relative to the prompt file).
 * In an untrusted workspace (restricted mode) no table is read: each table task gets an error instead.
 */
export async function loadCustomTables(
  customTasks: readonly { id: string; table?: string }[],
  options: { trusted: boolean; read: (relativePath: string) => Promise<string> },
): Promise<CustomTablesResult> {
  const tables = new Map<string, Map<string, string>>();
  const diagnostics: Diagnostic[] = [];
  for (const custom of customTasks) {
    if (!custom.table) continue;
    if (!options.trusted) {
      diagnostics.push({ severity: 'error', code: 'untrusted', message: `Custom task tables are disabled in untrusted workspaces (task '${custom.id}'). Trust the workspace to use them.`, line: 1, column: 1 });
      continue;
    }
    let text: string;
    try {
      text = await options.read(custom.table);
    } catch (err) {
      diagnostics.push({ severity: 'error', code: 'table', message: `Cannot read the table of task '${custom.id}' (${custom.table}): ${(err as Error).message}`, line: 1, column: 1 });
      continue;
    }
    const table = parseTable(text, custom.table);
    if (table.table) tables.set(custom.id, table.table);
    else diagnostics.push(...table.diagnostics);
  }
  return { tables, diagnostics };
}
