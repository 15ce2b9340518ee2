/**
 * Parser for the paper's plain-text prompt format (Xiong et al., arXiv 2410.05603, §4):
 *
 *     75+72->147
 *     15+43->fifty-eight
 *     60+21->
 *
 * Example lines are `input{sep}output`; the last non-blank line is the query `input{sep}`.
 *
 * Rules (where the format leaves room for choice):
 * - A UTF-8 BOM is ignored; CRLF, LF and lone CR all end a line; blank lines (whitespace only) are skipped.
 * - Trailing spaces and tabs at the end of a line are ignored. Exception, for the tab separator only: the query
 *   line keeps its tabs, so `input\t` is a valid query (`input\t  ` too). On example lines a trailing tab is
 *   whitespace, so a middle line `x\t` is reported as having no separator.
 * - Separator detection: the first of `->`, `=>`, tab, `=`, `:` that occurs in every non-blank line; otherwise the
 *   one occurring in most lines (ties broken by that order), and lines without it are errors.
 * - Every line is split at the FIRST occurrence of the separator. The query is valid only when nothing but
 *   whitespace follows that first occurrence (so `a->b->` is not a query).
 * - Input and output are kept exactly as written (leading whitespace and spaces around the separator included);
 *   only the stripped line-end whitespace is dropped. Empty means "no non-whitespace character".
 * - Positions are 1-based; columns count UTF-16 code units, as editors do, on the text without its BOM.
 * - Each line-level diagnostic code is reported for at most {@link MAX_DIAGNOSTICS_PER_CODE} lines; one extra
 *   diagnostic of the same code and severity then says how many more lines have the problem.
 */
import type { Diagnostic } from '../diagnostics';
import { hasErrors } from '../diagnostics';
import { buildPrompt, type Example, type ParseResult, type Separator } from './types';

export const DEFAULT_MAX_BYTES = 1_000_000;
export const DEFAULT_MIN_EXAMPLES = 2;
export const MAX_DIAGNOSTICS_PER_CODE = 100;

/** Detection priority: `->` before `=>` before tab before `=` before `:`. */
export const DETECTION_ORDER: readonly Separator[] = ['->', '=>', '\t', '=', ':'];

export interface ParseTextOptions {
  /** Maximum UTF-8 size in bytes (default 1 000 000). */
  maxBytes?: number;
  /** Minimum number of example lines (default 2). */
  minExamples?: number;
}

/** Human-readable separator name for messages. */
export function separatorName(sep: string): string {
  return sep === '\t' ? 'a tab' : `\`${sep}\``;
}

/** UTF-8 size of a string; lone surrogates count 3 bytes (as TextEncoder writes U+FFFD). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/** 1-based line/column of a UTF-16 offset; CRLF, CR and LF each end a line. */
export function offsetToPosition(text: string, offset: number): { line: number; column: number } {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) {
      line++;
      lineStart = i + 1;
    } else if (c === 13) {
      if (i + 1 < text.length && text.charCodeAt(i + 1) === 10) {
        if (i + 1 >= end) break; // offset points at the LF of a CRLF: still on this line
        i++;
      }
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function formatBytes(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * The checks shared by both formats: empty, too large, binary. Returns diagnostics (non-empty means stop) and
 * the text without its BOM.
 */
export function checkTextBasics(text: string, maxBytes: number): { text: string; diagnostics: Diagnostic[] } {
  if (typeof text !== 'string' || !/\S/.test(text)) {
    return {
      text: '',
      diagnostics: [{ severity: 'error', code: 'empty', message: 'the file is empty: write at least two examples and a query', line: 1, column: 1 }],
    };
  }
  const bytes = utf8ByteLength(text);
  if (bytes > maxBytes) {
    return {
      text: '',
      diagnostics: [
        {
          severity: 'error',
          code: 'too-large',
          message: `the file is too large: ${formatBytes(bytes)} bytes, the limit is ${formatBytes(maxBytes)} bytes`,
          line: 1,
          column: 1,
        },
      ],
    };
  }
  const body = stripBom(text);
  let firstControl = -1;
  let firstReplacement = -1;
  let replacements = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) {
      firstControl = i;
      break;
    }
    if (c === 0xfffd) {
      if (firstReplacement < 0) firstReplacement = i;
      replacements++;
    }
  }
  const manyReplacements = replacements >= 3 && replacements * 10 >= body.length;
  if (firstControl >= 0 || manyReplacements) {
    const offset = firstControl >= 0 ? firstControl : firstReplacement;
    const pos = offsetToPosition(body, offset);
    const code = body.charCodeAt(offset);
    const what =
      firstControl >= 0
        ? `control character U+${code.toString(16).toUpperCase().padStart(4, '0')}${code === 0 ? ' (NUL)' : ''}`
        : `${replacements} replacement characters (U+FFFD): the file was probably not UTF-8 text`;
    return {
      text: '',
      diagnostics: [
        {
          severity: 'error',
          code: 'binary',
          message: `the file looks binary: ${what}`,
          line: pos.line,
          column: pos.column,
          endColumn: pos.column + 1,
        },
      ],
    };
  }
  return { text: body, diagnostics: [] };
}

/** Longest diagnostic message (and JSON path); longer ones are cut with `…`. */
export const MAX_MESSAGE_LENGTH = 1000;

// What a message never shows raw (user text is quoted in messages): C0 and C1 controls, DEL, line and
// paragraph separators, bidi marks, embeddings, overrides and isolates (they reorder the rest of the
// line in the UI), and lone surrogates (not encodable as UTF-8).
const UNSAFE_IN_MESSAGES =
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * Text safe to show in a diagnostic: unsafe characters written as escapes (`\t`, `\u202E`), cut at
 * `max` UTF-16 units (never inside a surrogate pair) with `…`.
 */
export function displayText(text: string, max = MAX_MESSAGE_LENGTH): string {
  let out = text.replace(UNSAFE_IN_MESSAGES, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
  if (out.length > max) {
    let cut = Math.max(0, max - 1);
    const last = out.charCodeAt(cut - 1);
    if (last >= 0xd800 && last <= 0xdbff) cut--;
    out = `${out.slice(0, cut)}…`;
  }
  return out;
}

/** A diagnostic whose message and path are safe to display (see displayText). */
export function displayable(d: Diagnostic): Diagnostic {
  const message = displayText(d.message);
  const path = d.path === undefined ? undefined : displayText(d.path);
  if (message === d.message && path === d.path) return d;
  return { ...d, message, ...(path !== undefined ? { path } : {}) };
}

/** Collects diagnostics, capping each code at MAX_DIAGNOSTICS_PER_CODE reports; messages made safe to display. */
export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  private readonly counts = new Map<string, number>();
  private readonly dropped = new Map<string, { first: Diagnostic; count: number }>();

  add(diagnostic: Diagnostic): void {
    const d = displayable(diagnostic);
    const n = (this.counts.get(d.code) ?? 0) + 1;
    this.counts.set(d.code, n);
    if (n <= MAX_DIAGNOSTICS_PER_CODE) {
      this.items.push(d);
      return;
    }
    const key = `${d.code}\u0000${d.severity}`;
    const prev = this.dropped.get(key);
    if (prev) prev.count++;
    else this.dropped.set(key, { first: d, count: 1 });
  }

  /** All diagnostics, sorted by position, with one summary per capped code. */
  finish(): Diagnostic[] {
    for (const { first, count } of this.dropped.values()) {
      this.items.push({
        severity: first.severity,
        code: first.code,
        message: `${count} more line${count === 1 ? '' : 's'} with this problem (${first.code}) not shown`,
        line: first.line,
        column: first.column,
        ...(first.path !== undefined ? { path: first.path } : {}),
      });
    }
    this.dropped.clear();
    return this.items
      .map((d, i) => ({ d, i }))
      .sort((a, b) => a.d.line - b.d.line || a.d.column - b.d.column || a.i - b.i)
      .map((x) => x.d);
  }
}

type Ending = '\n' | '\r\n' | '\r' | '';

interface SourceLine {
  /** Text without its line ending. */
  text: string;
  line: number;
  ending: Ending;
}

function splitLines(text: string): SourceLine[] {
  const out: SourceLine[] = [];
  let start = 0;
  let line = 1;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      let ending: Ending = c === 10 ? '\n' : '\r';
      const content = text.slice(start, i);
      if (c === 13 && i + 1 < n && text.charCodeAt(i + 1) === 10) {
        ending = '\r\n';
        i++;
      }
      out.push({ text: content, line, ending });
      line++;
      start = i + 1;
    }
  }
  out.push({ text: text.slice(start), line, ending: '' });
  return out;
}

function isSpaceOrTab(c: number): boolean {
  return c === 32 || c === 9;
}

/** Removes trailing spaces and tabs (no regex: `/[ \t]+$/` is quadratic on long inner runs). */
export function stripTrailing(s: string, tabsToo = true): string {
  let end = s.length;
  while (end > 0) {
    const c = s.charCodeAt(end - 1);
    if (c === 32 || (tabsToo && c === 9)) end--;
    else break;
  }
  return end === s.length ? s : s.slice(0, end);
}

function onlySpacesAndTabs(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isSpaceOrTab(s.charCodeAt(i))) return false;
  return true;
}

const WHITESPACE = /\s/;
function isWhitespaceAt(s: string, i: number): boolean {
  const ch = s[i];
  return ch !== undefined && WHITESPACE.test(ch);
}

function hasNonWhitespace(s: string): boolean {
  return /\S/.test(s);
}

function preview(s: string, max = 40): string {
  return displayText(s, max + 1);
}

/**
 * The span of whitespace around the separator at `idx`, when the input ends or the output starts with whitespace;
 * undefined otherwise. Columns are 1-based, end exclusive.
 */
function spaceAroundSeparator(text: string, idx: number, sepLength: number): { column: number; endColumn: number } | undefined {
  let a = idx;
  while (a > 0 && isWhitespaceAt(text, a - 1)) a--;
  let b = idx + sepLength;
  while (b < text.length && isWhitespaceAt(text, b)) b++;
  if (a === idx && b === idx + sepLength) return undefined;
  return { column: a + 1, endColumn: b + 1 };
}

const SPACE_MESSAGE =
  'whitespace around the separator: the paper\'s format has none (e.g. `60+21->81`); the prompt keeps your text as written, but answers are scored without a leading space';

interface Candidate {
  src: SourceLine;
  /** Line without trailing spaces and tabs. */
  content: string;
  isQuery: boolean;
}

function containsSeparator(c: Candidate, sep: Separator): boolean {
  if (sep === '\t' && c.isQuery) return stripTrailing(c.src.text, false).includes('\t');
  return c.content.includes(sep);
}

function parseInner(text: string, options: ParseTextOptions | undefined): ParseResult {
  const maxBytes = options?.maxBytes ?? DEFAULT_MAX_BYTES;
  const minExamples = options?.minExamples ?? DEFAULT_MIN_EXAMPLES;

  const basics = checkTextBasics(text, maxBytes);
  if (basics.diagnostics.length > 0) return { diagnostics: basics.diagnostics };
  const body = basics.text;

  const sink = new DiagnosticSink();
  const lines = splitLines(body);

  // Mixed line endings (information only).
  const firstEnding = lines.find((l) => l.ending !== '')?.ending;
  if (firstEnding !== undefined) {
    const other = lines.find((l) => l.ending !== '' && l.ending !== firstEnding);
    if (other) {
      const name = (e: Ending): string => (e === '\r\n' ? 'CRLF' : e === '\r' ? 'CR' : 'LF');
      sink.add({
        severity: 'info',
        code: 'mixed-line-endings',
        message: `mixed line endings (${name(firstEnding)} and ${name(other.ending)}); the prompt always uses LF`,
        line: other.line,
        column: other.text.length + 1,
      });
    }
  }

  const candidates: Candidate[] = [];
  for (const src of lines) {
    if (!hasNonWhitespace(src.text)) continue;
    candidates.push({ src, content: stripTrailing(src.text), isQuery: false });
  }
  const last = candidates[candidates.length - 1];
  if (!last) {
    // Unreachable: checkTextBasics rejects whitespace-only text.
    return { diagnostics: [{ severity: 'error', code: 'empty', message: 'the file is empty', line: 1, column: 1 }] };
  }
  last.isQuery = true;

  // Separator detection.
  let separator: Separator | undefined;
  let bestCount = 0;
  const present = new Map<Separator, boolean[]>();
  for (const sep of DETECTION_ORDER) {
    const flags = candidates.map((c) => containsSeparator(c, sep));
    present.set(sep, flags);
    const count = flags.reduce((n, f) => (f ? n + 1 : n), 0);
    if (count === candidates.length) {
      separator = sep;
      bestCount = count;
      break;
    }
    if (count > bestCount) {
      separator = sep;
      bestCount = count;
    }
  }
  if (separator === undefined || bestCount === 0) {
    const first = candidates[0] ?? last;
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'no-separator',
          message:
            'no separator found: write examples as `input->output` (separators: `->`, `=>`, tab, `=`, `:`), one per line, and end with the query `input->`',
          line: first.src.line,
          column: 1,
          endColumn: first.content.length + 1,
        },
      ],
    };
  }
  const sep = separator;
  const sepName = separatorName(sep);
  const flags = present.get(sep) ?? [];

  const examples: Example[] = [];
  const seen = new Map<string, number>();
  const inputs = new Map<string, number>();

  for (let k = 0; k < candidates.length - 1; k++) {
    const c = candidates[k];
    if (!c) continue;
    const lineNo = c.src.line;
    const wholeLine = { line: lineNo, column: 1, endColumn: c.content.length + 1 };
    if (!flags[k]) {
      const trailingTab = sep === '\t' && c.src.text.includes('\t') ? ' (a tab at the end of an example line is ignored)' : '';
      sink.add({
        severity: 'error',
        code: 'line-without-separator',
        message: `this line has no ${sepName} separator, which the other lines use${trailingTab}`,
        ...wholeLine,
      });
      continue;
    }
    const idx = c.content.indexOf(sep);
    const input = c.content.slice(0, idx);
    const output = c.content.slice(idx + sep.length);
    const sepSpan = { line: lineNo, column: idx + 1, endColumn: idx + 1 + sep.length };
    let ok = true;
    if (!hasNonWhitespace(input)) {
      sink.add({ severity: 'error', code: 'empty-input', message: `this example has no input before the ${sepName} separator`, ...sepSpan });
      ok = false;
    }
    if (!hasNonWhitespace(output)) {
      sink.add({
        severity: 'error',
        code: 'empty-output',
        message: `this example has no output after the ${sepName} separator; only the last line may be a query`,
        ...sepSpan,
      });
      ok = false;
    }
    if (!ok) continue;
    const space = spaceAroundSeparator(c.content, idx, sep.length);
    if (space) sink.add({ severity: 'warning', code: 'space-around-separator', message: SPACE_MESSAGE, line: lineNo, ...space });
    const key = `${input}\u0000${output}`;
    const dup = seen.get(key);
    if (dup !== undefined) {
      sink.add({ severity: 'warning', code: 'duplicate-example', message: `duplicate of the example on line ${dup}`, ...wholeLine });
    } else seen.set(key, lineNo);
    if (!inputs.has(input)) inputs.set(input, lineNo);
    examples.push({ input, output, line: lineNo });
  }

  // The query: last non-blank line, `input{sep}` with nothing after the first separator.
  const queryText = sep === '\t' ? stripTrailing(last.src.text, false) : last.content;
  const qIdx = queryText.indexOf(sep);
  const queryWhole = { line: last.src.line, column: 1, endColumn: Math.max(queryText.length, last.content.length) + 1 };
  let query: string | undefined;
  if (qIdx < 0 || !onlySpacesAndTabs(queryText.slice(qIdx + sep.length))) {
    const after = qIdx < 0 ? '' : ` (found \`${preview(stripTrailing(queryText.slice(qIdx + sep.length)))}\` after it)`;
    sink.add({
      severity: 'error',
      code: 'no-query',
      message: `the last line must be the query: input followed by ${sepName} and nothing after it${after}`,
      ...queryWhole,
    });
  } else {
    const input = queryText.slice(0, qIdx);
    if (!hasNonWhitespace(input)) {
      sink.add({
        severity: 'error',
        code: 'empty-query',
        message: `the query has no input before the ${sepName} separator`,
        line: last.src.line,
        column: qIdx + 1,
        endColumn: qIdx + 1 + sep.length,
      });
    } else {
      query = input;
      const space = spaceAroundSeparator(queryText, qIdx, sep.length);
      if (space && space.column <= qIdx) {
        sink.add({ severity: 'warning', code: 'space-around-separator', message: SPACE_MESSAGE, line: last.src.line, column: space.column, endColumn: qIdx + 1 });
      }
      const exampleLine = inputs.get(input);
      if (exampleLine !== undefined) {
        sink.add({
          severity: 'warning',
          code: 'query-in-examples',
          message: `the query input already appears as an example input (line ${exampleLine}); the paper draws a fresh query, otherwise the model can copy the answer`,
          line: last.src.line,
          column: 1,
          endColumn: qIdx + 1,
        });
      }
    }
  }

  const exampleLines = candidates.length - 1;
  if (exampleLines < minExamples) {
    sink.add({
      severity: 'error',
      code: 'too-few-examples',
      message: `found ${exampleLines} example line${exampleLines === 1 ? '' : 's'}; at least ${minExamples} are needed before the query`,
      ...queryWhole,
    });
  }

  const diagnostics = sink.finish();
  if (hasErrors(diagnostics) || query === undefined) return { diagnostics };
  return {
    mix: {
      separator: sep,
      examples,
      query,
      queryLine: last.src.line,
      prompt: buildPrompt(examples, query, sep),
    },
    diagnostics,
  };
}

/**
 * Parses the paper's text format. Never throws: every problem, including an unexpected internal failure, is a
 * diagnostic. A mix is returned only when there are no error diagnostics.
 */
export function parseMixText(text: string, options?: ParseTextOptions): ParseResult {
  return neverThrow(() => parseInner(text, options));
}

/** Parsing never throws: an unexpected exception becomes an `internal` error diagnostic. */
export function neverThrow(parse: () => ParseResult): ParseResult {
  try {
    return parse();
  } catch (e) {
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'internal',
          message: displayText(`internal error while parsing: ${e instanceof Error ? e.message : String(e)}`),
          line: 1,
          column: 1,
        },
      ],
    };
  }
}
