/**
 * The structured `*.superposition.json` format:
 *
 * ```json
 * {
 *   "separator": "->",
 *   "examples": [{ "input": "75+72", "output": "147", "task": "sum.digits" }],
 *   "query": "60+21",
 *   "tasks": ["sum.digits", { "id": "my.custom", "label": "Rhyme", "answer": "…" }]
 * }
 * ```
 *
 * Rules (where the format leaves room for choice):
 * - Unknown properties are errors (they are usually typos such as `"quey"`).
 * - Inputs, outputs, the query and custom answers must be non-empty single lines without control characters
 *   (tab allowed unless it is the separator); inputs, outputs and the query must not contain the separator.
 * - `tasks` strings are built-in ids, objects are custom tasks that need `answer` and/or `table`; an example's
 *   `task` not listed in `tasks` (when `tasks` is given) is a warning.
 * - Diagnostics carry the JSON path (`examples[3].output`) and the position of that value in the text (for
 *   objects and arrays: the property name, or the opening bracket for array elements; a missing property points
 *   at its parent).
 */
import * as z from 'zod';
import type { Diagnostic } from '../diagnostics';
import { hasErrors } from '../diagnostics';
import { checkTextBasics, DEFAULT_MAX_BYTES, DiagnosticSink, displayText, neverThrow, offsetToPosition, separatorName } from './parseText';
import { buildPrompt, SEPARATORS, type CustomTaskSpec, type Example, type ParseResult, type PromptMix } from './types';

/** Most tasks a structured file may list. */
export const MAX_TASKS = 1000;

export const TASK_ID_PATTERN = /^[A-Za-z][\w.-]*$/;

const TaskIdSchema = z
  .string()
  .regex(TASK_ID_PATTERN, 'a task id starts with a letter and contains only letters, digits, `_`, `.` and `-`');

export const CustomTaskSchema = z.strictObject({
  id: TaskIdSchema,
  label: z.string().optional(),
  answer: z.string().optional(),
  table: z.string().min(1, 'the table path must not be empty').optional(),
});

export const StructuredExampleSchema = z.strictObject({
  input: z.string(),
  output: z.string(),
  task: TaskIdSchema.optional(),
});

export const StructuredMixSchema = z.strictObject({
  $schema: z.string().optional(),
  separator: z.enum(SEPARATORS).default('->'),
  examples: z.array(StructuredExampleSchema).min(2, 'at least 2 examples are needed before the query'),
  query: z.string(),
  tasks: z.array(z.union([TaskIdSchema, CustomTaskSchema])).optional(),
});

export type StructuredMix = z.infer<typeof StructuredMixSchema>;

type Issue = z.core.$ZodIssue;
export type PathSegment = PropertyKey;

/** `examples[3].output`; keys that are not identifiers are quoted: `a["my key"]`. */
export function formatJsonPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const key = String(seg);
      if (/^[A-Za-z_$][\w$]*$/.test(key)) out += out === '' ? key : `.${key}`;
      else out += `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// A small strict JSON scanner: finds the position of a syntax error, and the position of every value by path.

export interface Span {
  line: number;
  column: number;
  endColumn?: number;
}

class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    /** The scanner gave up (nesting limit): the offset says nothing about the real error. */
    readonly gaveUp = false,
  ) {
    super(message);
  }
}

const MAX_SCAN_DEPTH = 500;
const MAX_RECORD_DEPTH = 8;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class JsonScanner {
  private i = 0;
  private line = 1;
  private lineStart = 0;
  readonly spans = new Map<string, Span>();

  constructor(private readonly text: string) {}

  scan(): void {
    this.ws();
    this.value([], 0, undefined);
    this.ws();
    if (this.i < this.text.length) this.fail(`unexpected ${this.describe()} after the end of the JSON value`);
  }

  private fail(message: string, gaveUp = false): never {
    throw new JsonSyntaxError(message, this.i, gaveUp);
  }

  private describe(): string {
    const code = this.text.codePointAt(this.i);
    if (code === undefined) return 'end of file';
    // The whole character (an emoji is two UTF-16 units), escaped when it cannot be shown as is.
    return `character \`${displayText(String.fromCodePoint(code))}\``;
  }

  private ws(): void {
    const t = this.text;
    while (this.i < t.length) {
      const c = t.charCodeAt(this.i);
      if (c === 32 || c === 9) this.i++;
      else if (c === 10) {
        this.i++;
        this.line++;
        this.lineStart = this.i;
      } else if (c === 13) {
        this.i++;
        if (t.charCodeAt(this.i) === 10) this.i++;
        this.line++;
        this.lineStart = this.i;
      } else break;
    }
  }

  private here(): { line: number; column: number } {
    return { line: this.line, column: this.i - this.lineStart + 1 };
  }

  private record(path: string, depth: number, span: Span): void {
    // Overwrite: with duplicate keys JSON.parse keeps the last one, so do we.
    if (depth <= MAX_RECORD_DEPTH) this.spans.set(path, span);
  }

  private value(path: PathSegment[], depth: number, keySpan: Span | undefined): void {
    if (depth > MAX_SCAN_DEPTH) this.fail('the JSON is nested too deeply', true);
    const start = this.here();
    const ch = this.text[this.i];
    const key = formatJsonPath(path);
    if (ch === '{') {
      this.record(key, depth, keySpan ?? { ...start, endColumn: start.column + 1 });
      this.object(path, depth);
    } else if (ch === '[') {
      this.record(key, depth, keySpan ?? { ...start, endColumn: start.column + 1 });
      this.array(path, depth);
    } else {
      if (ch === '"') this.string();
      else if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) this.number();
      else if (ch === 't' || ch === 'f' || ch === 'n') this.literal();
      else this.fail(`unexpected ${this.describe()}: expected a value`);
      this.record(key, depth, { ...start, endColumn: this.i - this.lineStart + 1 });
    }
  }

  private string(): string {
    const t = this.text;
    const begin = this.i;
    this.i++; // opening quote
    for (;;) {
      if (this.i >= t.length) this.fail('unterminated string');
      const c = t.charCodeAt(this.i);
      if (c === 34) {
        this.i++;
        return t.slice(begin, this.i);
      }
      if (c < 32) this.fail(c === 10 || c === 13 ? 'unterminated string (line break inside a string)' : 'control character inside a string');
      if (c === 92) {
        const e = t[this.i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(t.slice(this.i + 2, this.i + 6))) {
            this.i += 2;
            this.fail('invalid \\u escape: expected 4 hex digits');
          }
          this.i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) this.i += 2;
        else {
          this.i++;
          this.fail('invalid escape in string');
        }
      } else this.i++;
    }
  }

  private number(): void {
    NUMBER.lastIndex = this.i;
    const m = NUMBER.exec(this.text);
    if (!m || m[0] === '-' || m[0].length === 0) {
      this.i++;
      this.fail('invalid number');
    }
    this.i += m[0].length;
  }

  private literal(): void {
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.i)) {
        this.i += word.length;
        return;
      }
    }
    this.fail(`unexpected ${this.describe()}: expected a value`);
  }

  private object(path: PathSegment[], depth: number): void {
    this.i++; // {
    this.ws();
    if (this.text[this.i] === '}') {
      this.i++;
      return;
    }
    for (;;) {
      if (this.text[this.i] !== '"') this.fail(`unexpected ${this.describe()}: expected a property name in double quotes`);
      const keyStart = this.here();
      const raw = this.string();
      const keySpan: Span = { ...keyStart, endColumn: this.i - this.lineStart + 1 };
      let name: string;
      try {
        name = String(JSON.parse(raw));
      } catch {
        name = raw.slice(1, -1);
      }
      this.ws();
      if (this.text[this.i] !== ':') this.fail(`unexpected ${this.describe()}: expected \`:\` after the property name`);
      this.i++;
      this.ws();
      this.value([...path, name], depth + 1, keySpan);
      this.ws();
      const c = this.text[this.i];
      if (c === ',') {
        this.i++;
        this.ws();
      } else if (c === '}') {
        this.i++;
        return;
      } else this.fail(`unexpected ${this.describe()}: expected \`,\` or \`}\``);
    }
  }

  private array(path: PathSegment[], depth: number): void {
    this.i++; // [
    this.ws();
    if (this.text[this.i] === ']') {
      this.i++;
      return;
    }
    for (let index = 0; ; index++) {
      this.value([...path, index], depth + 1, undefined);
      this.ws();
      const c = this.text[this.i];
      if (c === ',') {
        this.i++;
        this.ws();
      } else if (c === ']') {
        this.i++;
        return;
      } else this.fail(`unexpected ${this.describe()}: expected \`,\` or \`]\``);
    }
  }
}

/** Position of a JSON.parse failure from V8's message ("at position N" or "(line L column C)"). */
function positionFromV8(message: string, text: string): { line: number; column: number } | undefined {
  const lc = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lc?.[1] && lc[2]) return { line: Number(lc[1]), column: Number(lc[2]) };
  const at = /at position (\d+)/.exec(message);
  if (at?.[1]) return offsetToPosition(text, Number(at[1]));
  if (/end of JSON input/i.test(message)) return offsetToPosition(text, text.length);
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------

function getAt(data: unknown, path: readonly PathSegment[]): unknown {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

function isRootTypeMismatch(issues: readonly Issue[]): boolean {
  return issues.every((i) => i.code === 'invalid_type' && i.path.length === 0);
}

const CONTROL = /[\u0000-\u0008\u000a-\u001f]/;

interface FieldCheck {
  value: string;
  path: PathSegment[];
  emptyCode: string;
  what: string;
  noSeparator: boolean;
}

/** A JSON text parsed, with a way to report diagnostics at a JSON path (positioned in the text). */
export interface JsonDocument {
  data: unknown;
  spans: ReadonlyMap<string, Span>;
  at(severity: Diagnostic['severity'], code: string, message: string, path: readonly PathSegment[]): void;
  finish(): Diagnostic[];
}

/** Checks the text's basics and parses it as JSON; a syntax error becomes one positioned diagnostic. Throws nothing. */
export function openJsonDocument(text: string, maxBytes: number): { doc: JsonDocument } | { diagnostics: Diagnostic[] } {
  const basics = checkTextBasics(text, maxBytes);
  if (basics.diagnostics.length > 0) return { diagnostics: basics.diagnostics };
  const body = basics.text;

  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (e) {
    const v8 = e instanceof Error ? e.message : String(e);
    let pos: { line: number; column: number } | undefined;
    let message = v8;
    try {
      new JsonScanner(body).scan();
    } catch (scanError) {
      if (scanError instanceof JsonSyntaxError && !scanError.gaveUp) {
        pos = offsetToPosition(body, scanError.offset);
        message = scanError.message;
      }
    }
    pos ??= positionFromV8(v8, body) ?? { line: 1, column: 1 };
    return {
      diagnostics: [
        { severity: 'error', code: 'invalid-json', message: displayText(`invalid JSON: ${message}`), line: Math.max(1, pos.line), column: Math.max(1, pos.column), endColumn: Math.max(1, pos.column) + 1 },
      ],
    };
  }

  // Positions are best effort: a scanner failure (e.g. extreme nesting) only loses them.
  const scanner = new JsonScanner(body);
  try {
    scanner.scan();
  } catch {
    /* keep whatever was recorded */
  }
  const spans = scanner.spans;
  const locate = (path: readonly PathSegment[]): Span => {
    for (let n = path.length; n >= 0; n--) {
      const span = spans.get(formatJsonPath(path.slice(0, n)));
      if (span) return span;
    }
    return { line: 1, column: 1 };
  };
  const sink = new DiagnosticSink();
  return {
    doc: {
      data,
      spans,
      at: (severity, code, message, path) => {
        const p = formatJsonPath(path);
        sink.add({ severity, code, message, ...locate(path), ...(p !== '' ? { path: p } : {}) });
      },
      finish: () => sink.finish(),
    },
  };
}

/** Reports one zod issue at its path: missing properties, unknown keys (with the allowed ones), unions. */
export function reportSchemaIssue(
  doc: JsonDocument,
  issue: Issue,
  prefix: readonly PathSegment[],
  explain: { allowedKeys(path: readonly PathSegment[]): string; union(path: readonly PathSegment[]): string; tooSmallCode?(path: string): string | undefined },
): void {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union') {
    const branches = issue.errors.filter((branch) => !isRootTypeMismatch(branch));
    const only = branches[0];
    if (branches.length === 1 && only) {
      for (const sub of only) reportSchemaIssue(doc, sub, path, explain);
      return;
    }
    doc.at('error', 'schema', explain.union(path), path);
    return;
  }
  if (issue.code === 'unrecognized_keys') {
    const keyPath = [...path, issue.keys[0] ?? ''];
    doc.at('error', 'schema', `${issue.message} (allowed here: ${explain.allowedKeys(path)})`, keyPath);
    return;
  }
  const smallCode = issue.code === 'too_small' ? explain.tooSmallCode?.(formatJsonPath(path)) : undefined;
  if (smallCode) {
    doc.at('error', smallCode, issue.message, path);
    return;
  }
  if (issue.code === 'invalid_type' && getAt(doc.data, path) === undefined && path.length > 0) {
    const last = path[path.length - 1];
    doc.at('error', 'schema', `missing required property \`${String(last)}\` (expected ${issue.expected})`, path);
    return;
  }
  doc.at('error', 'schema', issue.message, path);
}

function parseStructuredInner(text: string, maxBytes: number): ParseResult {
  const opened = openJsonDocument(text, maxBytes);
  if ('diagnostics' in opened) return { diagnostics: opened.diagnostics };
  const jsonDoc = opened.doc;
  const { data, spans, at } = jsonDoc;
  const sink = { finish: jsonDoc.finish };

  const parsed = StructuredMixSchema.safeParse(data);
  if (!parsed.success) {
    const explain = {
      allowedKeys,
      union: () => 'expected a built-in task id (a string) or a custom task object `{ "id": …, "answer": … }` / `{ "id": …, "table": … }`',
      tooSmallCode: (p: string) => (p === 'examples' ? 'too-few-examples' : undefined),
    };
    for (const issue of parsed.error.issues) reportSchemaIssue(jsonDoc, issue, [], explain);
    return { diagnostics: sink.finish() };
  }

  const doc = parsed.data;
  if (doc.tasks && doc.tasks.length > MAX_TASKS) {
    // Far beyond any real mix; the answer checks compare every pair of tasks.
    at('error', 'too-many-tasks', `\`tasks\` lists ${doc.tasks.length} tasks; at most ${MAX_TASKS}`, ['tasks']);
    return { diagnostics: sink.finish() };
  }
  const sep = doc.separator;
  const sepName = separatorName(sep);

  const checkField = (f: FieldCheck): boolean => {
    if (!/\S/.test(f.value)) {
      at('error', f.emptyCode, `${f.what} is empty`, f.path);
      return false;
    }
    if (CONTROL.test(f.value)) {
      at('error', 'format', `${f.what} must be a single line without control characters`, f.path);
      return false;
    }
    if (f.noSeparator && f.value.includes(sep)) {
      at('error', 'format', `${f.what} contains the separator ${sepName}; the model could not tell input from output`, f.path);
      return false;
    }
    return true;
  };

  const SPACE_MESSAGE =
    'whitespace around the separator: the paper\'s format has none; the prompt keeps the text as written, but answers are scored without a leading space';
  const seen = new Map<string, number>();
  const inputs = new Map<string, number>();
  doc.examples.forEach((ex, i) => {
    const okIn = checkField({ value: ex.input, path: ['examples', i, 'input'], emptyCode: 'empty-input', what: 'the input', noSeparator: true });
    const okOut = checkField({ value: ex.output, path: ['examples', i, 'output'], emptyCode: 'empty-output', what: 'the output', noSeparator: true });
    if (!okIn || !okOut) return;
    if (/\s$/.test(ex.input)) at('warning', 'space-around-separator', SPACE_MESSAGE, ['examples', i, 'input']);
    if (/^\s/.test(ex.output)) at('warning', 'space-around-separator', SPACE_MESSAGE, ['examples', i, 'output']);
    const key = `${ex.input}\u0000${ex.output}`;
    const dup = seen.get(key);
    if (dup !== undefined) at('warning', 'duplicate-example', `duplicate of examples[${dup}]`, ['examples', i]);
    else seen.set(key, i);
    if (!inputs.has(ex.input)) inputs.set(ex.input, i);
  });

  if (checkField({ value: doc.query, path: ['query'], emptyCode: 'empty-query', what: 'the query', noSeparator: true })) {
    if (/\s$/.test(doc.query)) at('warning', 'space-around-separator', SPACE_MESSAGE, ['query']);
    const ex = inputs.get(doc.query);
    if (ex !== undefined) {
      at(
        'warning',
        'query-in-examples',
        `the query already appears as the input of examples[${ex}]; the paper draws a fresh query, otherwise the model can copy the answer`,
        ['query'],
      );
    }
  }

  let tasks: string[] | undefined;
  let customTasks: CustomTaskSpec[] | undefined;
  if (doc.tasks) {
    tasks = [];
    customTasks = [];
    const ids = new Map<string, number>();
    doc.tasks.forEach((t, j) => {
      const id = typeof t === 'string' ? t : t.id;
      const idPath: PathSegment[] = typeof t === 'string' ? ['tasks', j] : ['tasks', j, 'id'];
      const prev = ids.get(id);
      if (prev !== undefined) at('error', 'duplicate-task', `duplicate task id \`${id}\` (also tasks[${prev}])`, idPath);
      else ids.set(id, j);
      tasks?.push(id);
      if (typeof t !== 'string') {
        if (t.answer === undefined && t.table === undefined) {
          at('error', 'incomplete-custom-task', `custom task \`${t.id}\` needs an \`answer\` for the query or a \`table\` (or both)`, ['tasks', j]);
        }
        if (t.answer !== undefined) {
          checkField({ value: t.answer, path: ['tasks', j, 'answer'], emptyCode: 'format', what: 'the answer', noSeparator: false });
        }
        const spec: CustomTaskSpec = { id: t.id };
        if (t.answer !== undefined) spec.answer = t.answer;
        if (t.table !== undefined) spec.table = t.table;
        if (t.label !== undefined) spec.label = t.label;
        customTasks?.push(spec);
      }
    });
    doc.examples.forEach((ex, i) => {
      if (ex.task !== undefined && !ids.has(ex.task)) {
        at('warning', 'unlisted-task', `task \`${ex.task}\` is not listed in \`tasks\``, ['examples', i, 'task']);
      }
    });
  }

  const diagnostics = sink.finish();
  if (hasErrors(diagnostics)) return { diagnostics };

  const examples: Example[] = doc.examples.map((ex, i) => {
    const e: Example = { input: ex.input, output: ex.output, line: spans.get(formatJsonPath(['examples', i]))?.line ?? 0 };
    if (ex.task !== undefined) e.task = ex.task;
    return e;
  });
  const mix: PromptMix = {
    separator: sep,
    examples,
    query: doc.query,
    queryLine: spans.get('query')?.line ?? 0,
    prompt: buildPrompt(examples, doc.query, sep),
  };
  if (tasks) mix.tasks = tasks;
  if (customTasks) mix.customTasks = customTasks;
  return { mix, diagnostics };
}

function allowedKeys(path: readonly PathSegment[]): string {
  let keys: string[];
  if (path.length === 0) keys = Object.keys(StructuredMixSchema.shape);
  else if (path[0] === 'examples') keys = Object.keys(StructuredExampleSchema.shape);
  else keys = Object.keys(CustomTaskSchema.shape);
  return keys.map((k) => `\`${k}\``).join(', ');
}

/**
 * Parses and validates a `*.superposition.json` document. Never throws; a mix is returned only when there are no
 * error diagnostics.
 */
export function parseStructuredMix(text: string, options?: { maxBytes?: number }): ParseResult {
  return neverThrow(() => parseStructuredInner(text, options?.maxBytes ?? DEFAULT_MAX_BYTES));
}

/** Pretty JSON (2 spaces, trailing newline) that parseStructuredMix reads back to the same mix. */
export function serializeStructuredMix(mix: PromptMix): string {
  const doc: Record<string, unknown> = {
    separator: mix.separator,
    examples: mix.examples.map((e) => (e.task !== undefined ? { input: e.input, output: e.output, task: e.task } : { input: e.input, output: e.output })),
    query: mix.query,
  };
  const custom = new Map((mix.customTasks ?? []).map((c) => [c.id, c] as const));
  const customEntry = (c: CustomTaskSpec): Record<string, string> => {
    const o: Record<string, string> = { id: c.id };
    if (c.label !== undefined) o.label = c.label;
    if (c.answer !== undefined) o.answer = c.answer;
    if (c.table !== undefined) o.table = c.table;
    return o;
  };
  if (mix.tasks !== undefined || mix.customTasks !== undefined) {
    const entries: unknown[] = [];
    const listed = new Set<string>();
    for (const id of mix.tasks ?? []) {
      const c = custom.get(id);
      entries.push(c ? customEntry(c) : id);
      listed.add(id);
    }
    for (const c of mix.customTasks ?? []) if (!listed.has(c.id)) entries.push(customEntry(c));
    doc.tasks = entries;
  }
  return `${JSON.stringify(doc, null, 2)}\n`;
}
