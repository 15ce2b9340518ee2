// Cross-format input fuzzing: ≥ 10 000 generated selections, prompt-mix files and experiment files
// (empty, huge, binary, unicode, RTL, emoji, CRLF, missing query, duplicate examples, invalid JSON,
// structural mutations, text from scratch), each through parseMix (+ detectTasks when it gives a
// mix) and parseExperimentFile: never a throw, always an error diagnostic when there is no result,
// positions inside the text, messages a UI can show. Seeded: a failure names its category and index.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import type { Diagnostic } from '../../src/core/diagnostics';
import { hasErrors } from '../../src/core/diagnostics';
import { validateCalibrationPlan, validateScalingPlan } from '../../src/core/experiments/plan';
import { parseExperimentFile, serializeExperimentFile } from '../../src/core/experiments/planFile';
import { parseMix } from '../../src/core/mix/parse';
import { utf8ByteLength } from '../../src/core/mix/parseText';
import { serializeStructuredMix } from '../../src/core/mix/structured';
import { seededRng } from '../../src/core/random';
import { TASK_SETS } from '../../src/core/tasks/builtin';
import { detectTasks } from '../../src/core/tasks/detect';
import { generateMix } from '../../src/core/tasks/generate';

const SEED = 2410_05603;
const MAX_BYTES = 1_000_000;
/** A size diagnostic for a > 1 MB input must come within this (generous: a shared 2-core machine). */
const HUGE_MS = 1000;
/** Any one input, all parsers included: catches quadratic paths (a 1 MB file took 5–25 s in some). */
const INPUT_MS = 5000;

const CATEGORIES = [
  'seed',
  'empty',
  'huge',
  'binary',
  'unicode',
  'rtl',
  'emoji',
  'crlf',
  'missing-query',
  'duplicate-examples',
  'invalid-json',
  'mutation',
  'scratch',
] as const;
type Category = (typeof CATEGORIES)[number];
type Kind = 'text' | 'json' | 'experiment';
const KINDS: readonly Kind[] = ['text', 'json', 'experiment'];

const COUNTS: Record<Category, number> = {
  seed: 240,
  empty: 420,
  huge: 240,
  binary: 1000,
  unicode: 1000,
  rtl: 1000,
  emoji: 1000,
  crlf: 1000,
  'missing-query': 1000,
  'duplicate-examples': 1000,
  'invalid-json': 1000,
  mutation: 1000,
  scratch: 1000,
};

// Characters a diagnostic must never carry raw: C0 and C1 controls, DEL, line/paragraph separators,
// bidi embeddings, overrides, isolates and marks, and lone surrogates (not encodable as UTF-8).
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const MAX_MESSAGE = 2000;

const UNICODE = ['é', 'ß', 'Ω', '中文', '日本語', 'ｆｕｌｌ', '１２＋３４', 'e\u0301', '\u00a0', '\u200b', '\u200d', '\ufeff', '\u2028', '\u2029', '\u0085', '\u007f', '\u009b', '\ud800', '\udfff', '\ufffe', '\uffff', '→', '⇒', '＝', '：', '𝕏', 'İ', 'ﬁ', '\u3000'];
const RTL = ['שלום', 'مرحبا', 'עברית', 'العربية', '٣٤+١٢', '\u200f', '\u200e', '\u202e', '\u202d', '\u202b', '\u202a', '\u202c', '\u2067', '\u2066', '\u2068', '\u2069', '\u061c', 'א->ב', '\u202eevil\u202c', 'ישראל', 'مصر'];
const EMOJI = ['🙂', '👨‍👩‍👧', '🇫🇷', '👍🏽', '🏳️‍🌈', '1️⃣', '❤️', '➡️', '🙂->🙃', '\ud83d', '\ude42', '🧑🏿‍🚀', '🔥🔥🔥', '🇺🇳'];
const CONTROLS = ['\u0000', '\u0001', '\u0007', '\u0008', '\u000b', '\u000c', '\u001b', '\u001f'];
const EMPTY = ['', ' ', '\n', '\r\n\r\n', '\t \t', '\uFEFF', '\uFEFF\n ', '\u00a0\u3000', '\u2028', ' \r \n \t'];
const EMPTY_JSON = ['{}', '[]', 'null', '""', '0', '{ }', '\uFEFF{}', '{"examples":[],"query":""}', '{"experiment":{}}', '{"experiment":null}', '{"examples":[{}, {}],"query":" "}', '{"experiment":{"kind":"scaling","pool":[],"kMax":1}}'];
const TOKENS = ['{', '}', '[', ']', ',', ':', '"', '->', '=>', '=', '\t', '\n', '\r\n', '\r', ' ', 'examples', 'query', 'experiment', 'kind', 'scaling', 'calibration', 'pool', 'tasks', 'sum.digits', 'country.capital', '12+34', '46', 'forty-six', 'France', 'Paris', 'true', 'null', '0', '-1.5e3', '"x"', '"input"', '"output"', '🙂', 'שלום', '\\', '\\u', '\uFEFF', '\u202e', 'ab', '99@1'];
const JSON_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, '', ' ', 'x', '->', '\t', '12+34', 'sum.en', 'nope', '__proto__', 'constructor', '1bad', [], {}, [1, 2], { id: 'x' }, { kind: 'scaling' }, ['sum.digits', 'sum.digits'], [[0, 1]], [[-1, 2]], 'a\nb', '🙂', 'שלום'];
const JSON_KEYS = ['separator', 'examples', 'query', 'tasks', '$schema', 'input', 'output', 'task', 'id', 'answer', 'table', 'label', 'experiment', 'kind', 'pool', 'kMax', 'kMin', 'models', 'proportions', 'seed', 'bogus', '__proto__', 'constructor', '🙂', ''];

interface Ctx {
  category: Category;
  kind: Kind;
  index: number;
}

function where(ctx: Ctx, text: string): string {
  return `${ctx.category} #${ctx.index} (${ctx.kind}, ${text.length} chars): ${JSON.stringify(text.slice(0, 160))}`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function check(cond: boolean, message: () => string): void {
  if (!cond) assert.fail(message());
}

/** Diagnostics are well formed, positioned inside the text (BOM not counted) and safe to display. */
function checkDiagnostics(text: string, lines: readonly string[], diagnostics: readonly Diagnostic[], what: string, ctx: Ctx): void {
  check(Array.isArray(diagnostics), () => `${what}: diagnostics not an array — ${where(ctx, text)}`);
  for (const d of diagnostics) {
    const about = () => `${what}: ${JSON.stringify(d)} — ${where(ctx, text)}`;
    check(d.severity === 'error' || d.severity === 'warning' || d.severity === 'info', about);
    check(typeof d.code === 'string' && /^[a-z][a-z0-9-]*$/.test(d.code), about);
    check(typeof d.message === 'string' && d.message.trim().length > 0 && d.message.length <= MAX_MESSAGE, about);
    check(!UNSAFE.test(d.message), () => `unsafe character in the message: ${about()}`);
    check(d.path === undefined || (typeof d.path === 'string' && !UNSAFE.test(d.path) && d.path.length <= MAX_MESSAGE), () => `unsafe path: ${about()}`);
    check(Number.isInteger(d.line) && d.line >= 1 && d.line <= lines.length, () => `line outside the text (${lines.length} lines): ${about()}`);
    const length = lines[d.line - 1]?.length ?? 0;
    check(Number.isInteger(d.column) && d.column >= 1 && d.column <= length + 1, () => `column outside line ${d.line} (${length} chars): ${about()}`);
    if (d.endColumn !== undefined) check(Number.isInteger(d.endColumn) && d.endColumn >= d.column && d.endColumn <= length + 2, () => `endColumn: ${about()}`);
  }
}

test('≥ 10 000 generated selections, prompt-mix and experiment files: never a throw, always a diagnostic', { timeout: 300_000 }, () => {
  const started = performance.now();
  const rng = seededRng(SEED);
  const int = (n: number): number => Math.floor(rng() * n);
  const chance = (p: number): boolean => rng() < p;
  const pick = <T>(xs: readonly T[]): T => {
    const x = xs[int(xs.length)];
    if (x === undefined) throw new Error('empty pick');
    return x;
  };
  const insertAt = (text: string, piece: string, at = int(text.length + 1)): string => text.slice(0, at) + piece + text.slice(at);

  // ---------------------------------------------------------------------------------------------
  // Seeds: the shipped examples, generated mixes of every task set, their JSON forms, experiment files.
  const root = join(__dirname, '..', '..');
  const exampleFiles = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.txt') || f.endsWith('.superposition.json'));
  const seeds: Record<Kind, string[]> = { text: [], json: [], experiment: [] };
  for (const file of exampleFiles) {
    const text = readFileSync(join(root, 'examples', file), 'utf8');
    if (file.endsWith('.txt')) seeds.text.push(text);
    else if (/"experiment"\s*:/.test(text)) seeds.experiment.push(text);
    else seeds.json.push(text);
  }
  Object.values(TASK_SETS).forEach((tasks, set) => {
    for (let s = 0; s < 6; s++) {
      const generated = generateMix({ tasks, seed: 100 * set + s, perTask: 1 + s });
      assert.ok(generated.text && generated.mix, `generated seed ${set}/${s}`);
      seeds.text.push(generated.text);
      const { tasks: _tasks, ...unlisted } = generated.mix;
      seeds.json.push(serializeStructuredMix(s % 2 ? generated.mix : { ...unlisted, examples: unlisted.examples.map(({ task: _t, ...e }) => e) }));
    }
  });
  for (const [i, tasks] of Object.values(TASK_SETS).entries()) {
    const scaling = validateScalingPlan({ pool: [...tasks], kMax: tasks.length, models: ['llama3.2', 'qwen3:4b'], seed: i, promptsPerK: 2 });
    const calibration = validateCalibrationPlan({ tasks: tasks.slice(0, 2), models: ['llama3.2'], proportions: [[1, 0], [1, 1]], seed: i });
    assert.ok(scaling.ok && calibration.ok);
    seeds.experiment.push(serializeExperimentFile(scaling.plan, `scaling ${i}`), serializeExperimentFile(calibration.plan));
  }
  seeds.experiment.push('{ "experiment": { "kind": "scaling", "pool": ["sum.digits", "sum.en"], "kMax": 2 } }');
  for (const kind of KINDS) assert.ok(seeds[kind].length >= 3, `${kind} seeds`);

  // ---------------------------------------------------------------------------------------------
  // Mutations.
  const SEPARATOR = /->|=>|\t|=|:/;
  /** Applies `f` to the input or output of some lines of a text mix. */
  const mapParts = (text: string, f: (part: string) => string, p: number): string =>
    text
      .split('\n')
      .map((line) => {
        const m = SEPARATOR.exec(line);
        if (!m || !chance(p)) return line;
        const input = line.slice(0, m.index);
        const output = line.slice(m.index + m[0].length);
        return chance(0.5) ? `${f(input)}${m[0]}${output}` : `${input}${m[0]}${f(output)}`;
      })
      .join('\n');
  const walk = (value: unknown, f: (s: string) => string, p: number): unknown => {
    if (typeof value === 'string') return chance(p) ? f(value) : value;
    if (Array.isArray(value)) return value.map((v) => walk(v, f, p));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[chance(p / 4) ? f(k) : k] = walk(v, f, p);
      return out;
    }
    return value;
  };
  const reformat = (value: unknown): string => JSON.stringify(value, null, pick([0, 2, '\t'])) ?? 'null';
  /** Unicode-ish pieces into a seed: replaced parts/values (valid structure) or raw insertions anywhere. */
  const sprinkle = (kind: Kind, seed: string, pool: readonly string[]): string => {
    const piece = (s: string): string => (chance(0.5) ? pick(pool) : chance(0.5) ? `${s}${pick(pool)}` : `${pick(pool)}${s}${pick(pool)}`);
    if (chance(0.6)) {
      if (kind === 'text') return mapParts(seed, piece, 0.5);
      return reformat(walk(JSON.parse(seed), piece, 0.4));
    }
    let text = seed;
    for (let k = 1 + int(4); k > 0; k--) text = insertAt(text, pick(pool));
    return text;
  };
  const mutateValue = (v: unknown, depth: number): unknown => {
    if (depth > 4 || chance(0.12)) return pick(JSON_VALUES);
    if (Array.isArray(v)) {
      const arr = v.map((x) => (chance(0.3) ? mutateValue(x, depth + 1) : x));
      if (chance(0.2)) arr.splice(int(arr.length + 1), 0, pick(JSON_VALUES));
      if (chance(0.2)) arr.splice(int(arr.length), 1);
      return arr;
    }
    if (v !== null && typeof v === 'object') {
      const o: Record<string, unknown> = { ...(v as Record<string, unknown>) };
      for (const k of Object.keys(o)) {
        if (chance(0.3)) o[k] = mutateValue(o[k], depth + 1);
        if (chance(0.08)) delete o[k];
      }
      if (chance(0.15)) o[pick(JSON_KEYS)] = pick(JSON_VALUES);
      return o;
    }
    return chance(0.5) ? pick(JSON_VALUES) : v;
  };
  const nonEmptyLines = (text: string): string[] => text.split(/\r\n|\r|\n/).filter((l) => l.trim() !== '');
  const bigJsonMix = (n: number): string =>
    JSON.stringify({ separator: '->', examples: Array.from({ length: n }, (_, i) => ({ input: `${i % 500}+${i % 499}`, output: String((i % 500) + (i % 499)) })), query: '1+2' });
  const randomBytes = (n: number): Buffer => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = int(256);
    return b;
  };

  const generators: Record<Category, (kind: Kind, seed: string) => string> = {
    seed: (_kind, seed) => seed,
    empty: (kind) => (kind === 'text' || chance(0.3) ? pick(EMPTY) : pick(EMPTY_JSON)),
    huge: (kind, seed) => {
      switch (int(8)) {
        case 0:
          return seed.repeat(Math.ceil(MAX_BYTES / Math.max(1, utf8ByteLength(seed))) + 1 + int(3));
        case 1:
          return kind === 'text' ? '12+34->46\n'.repeat(100_001 + int(1000)) + '1+2->' : bigJsonMix(40_000 + int(1000));
        case 2:
          return 'x'.repeat(MAX_BYTES + 1 + int(5000));
        case 3:
          return '€'.repeat(333_334 + int(1000)); // 1 000 002+ bytes in ~333 000 UTF-16 units
        case 4:
          return '🙂'.repeat(250_001 + int(100));
        case 5:
          return JSON.stringify({ description: 'd'.repeat(MAX_BYTES + int(1000)), experiment: { kind: 'scaling', pool: ['sum.digits'], kMax: 1 } });
        case 6:
          return 'ab->cd\n'.repeat(500_000 + int(100_000));
        default:
          return `${seed}${' '.repeat(MAX_BYTES)}${kind === 'text' ? '1+2->' : '}'}`;
      }
    },
    binary: (_kind, seed) => {
      switch (int(8)) {
        case 0:
          return randomBytes(1 + int(3000)).toString('utf8');
        case 1:
          return randomBytes(1 + int(3000)).toString('latin1');
        case 2: {
          let text = seed;
          for (let k = 1 + int(3); k > 0; k--) text = insertAt(text, pick(CONTROLS));
          return text;
        }
        case 3:
          return Buffer.from(seed, 'utf16le').toString('utf8');
        case 4:
          return deflateSync(seed).toString('utf8');
        case 5:
          return [...seed].map((c) => (chance(0.15) ? '\uFFFD' : c)).join('');
        case 6:
          return `\x89PNG\r\n\x1a\n${randomBytes(int(500)).toString('latin1')}`;
        default:
          return `\uFEFF${randomBytes(1 + int(800)).toString('utf8')}`;
      }
    },
    unicode: (kind, seed) => sprinkle(kind, seed, UNICODE),
    rtl: (kind, seed) => {
      if (kind === 'text' && chance(0.25)) return seed.split('\n').map((l) => (chance(0.5) ? `\u202e${l}\u202c` : `\u2067${l}\u2069`)).join('\n');
      return sprinkle(kind, seed, RTL);
    },
    emoji: (kind, seed) => {
      const text = sprinkle(kind, seed, EMOJI);
      if (!chance(0.2)) return text;
      // Cut right inside a surrogate pair.
      const at = text.search(/[\ud800-\udbff]/);
      return at < 0 ? text : text.slice(0, at + 1) + (chance(0.5) ? text.slice(at + 1 + int(20)) : '');
    },
    crlf: (kind, seed) => {
      const mode = int(6);
      if (mode === 0) return seed.replace(/\r?\n/g, '\r\n');
      if (mode === 1) return seed.replace(/\r?\n/g, '\r');
      if (mode === 2) return seed.replace(/\r?\n/g, () => pick(['\n', '\r\n', '\r', '\r\r\n', '\n\r']));
      if (mode === 3) return `${seed.replace(/\r?\n/g, '\r\n')}\r`;
      if (mode === 4 && kind !== 'text') {
        // A line break inside a JSON string: raw (invalid JSON) or escaped (a multi-line value).
        const quotes = [...seed.matchAll(/"[^"\\\n]+"/g)];
        const q = quotes.length > 0 ? pick(quotes) : undefined;
        if (q?.index !== undefined) return insertAt(seed, chance(0.5) ? '\r\n' : '\\r\\n', q.index + 1 + int(q[0].length - 1));
      }
      return seed.replace(/\r?\n/g, ' \r\n').replace(/->/g, () => pick(['->', '->\r', '\r->']));
    },
    'missing-query': (kind, seed) => {
      if (kind === 'text') {
        const lines = nonEmptyLines(seed);
        const last = lines.length - 1;
        switch (int(6)) {
          case 0:
            return lines.slice(0, last).join('\n');
          case 1:
            return [...lines.slice(0, last), `${lines[last]}${pick(['x', ' 46', '->', 'forty'])}`].join('\n');
          case 2:
            return [...lines.slice(0, last), (lines[last] ?? '').replace(SEPARATOR, '')].join('\n');
          case 3:
            return [...lines.slice(0, last), pick(['->', ' -> ', '=', ':', '\t'])].join('\n');
          case 4:
            return `${lines.slice(0, last).join('\n')}\n\n  \n\t\n`;
          default:
            return [...lines.slice(0, last), '# end'].join('\n');
        }
      }
      const data = JSON.parse(seed) as Record<string, unknown>;
      if (kind === 'json') {
        const variant = int(7);
        if (variant === 0) delete data.query;
        else if (variant === 6) {
          data.quey = data.query;
          delete data.query;
        } else data.query = ['', '   ', null, 42, ['x'], '1+2->3'][variant - 1];
        return reformat(data);
      }
      const experiment = (data.experiment ?? {}) as Record<string, unknown>;
      const variant = int(5);
      if (variant === 0) delete experiment.kind;
      else if (variant === 1) {
        delete experiment.pool;
        delete experiment.tasks;
      } else if (variant === 2) delete experiment.kMax;
      else if (variant === 3) data.experiment = {};
      else data.query = '1+2';
      return reformat(data);
    },
    'duplicate-examples': (kind, seed) => {
      if (kind === 'text') {
        const lines = nonEmptyLines(seed);
        const query = lines.pop() ?? '1+2->';
        const variant = int(3);
        if (variant === 0) {
          for (let k = 1 + int(5); k > 0; k--) lines.splice(int(lines.length + 1), 0, pick(lines.length > 0 ? lines : ['1+2->3']));
          return [...lines, query].join('\n');
        }
        if (variant === 1) return [...Array.from({ length: 2 + int(30) }, () => lines[0] ?? '1+2->3'), query].join('\n');
        const example = pick(lines.length > 0 ? lines : ['1+2->3']);
        const m = SEPARATOR.exec(example);
        return [...lines, m ? example.slice(0, m.index + m[0].length) : query].join('\n');
      }
      const data = JSON.parse(seed) as Record<string, unknown>;
      const variant = int(4);
      if (variant === 3) {
        // Many duplicates at once: examples, tasks whose answers coincide or are prefixes, plan lists.
        const n = 1 + int(pick([10, 300, 3000]));
        if (kind === 'json') {
          const examples = Array.isArray(data.examples) ? (data.examples as unknown[]) : [];
          data.examples = [...examples, ...Array.from({ length: n }, () => examples[0] ?? { input: '1+2', output: '3' })];
          const sameIds = chance(0.3);
          if (chance(0.7)) data.tasks = Array.from({ length: n }, (_, i) => ({ id: sameIds ? `t${i % 3}` : `t${i}`, answer: 'a'.repeat(1 + (i % 4)) }));
        } else {
          const experiment = (data.experiment ?? {}) as Record<string, unknown>;
          const ids = ['sum.digits', 'sum.en', 'nope', 'country.capital'];
          experiment[pick(['pool', 'tasks'])] = Array.from({ length: n }, (_, i) => (chance(0.5) ? pick(ids) : `task${i}`));
          experiment.models = Array.from({ length: n }, (_, i) => (chance(0.2) ? 'm' : `model${i}`));
          if (chance(0.5)) experiment.proportions = Array.from({ length: n }, () => [1, 1]);
        }
        return reformat(data);
      }
      if (variant === 0) {
        // A duplicate key, written before the real one (JSON.parse keeps the last).
        const key = pick(kind === 'json' ? ['query', 'examples', 'separator', 'tasks'] : ['experiment', 'description']);
        return seed.replace('{', `{"${key}": ${JSON.stringify(pick(JSON_VALUES))},`);
      }
      if (kind === 'json') {
        const examples = Array.isArray(data.examples) ? (data.examples as unknown[]) : [];
        for (let k = 1 + int(5); k > 0; k--) examples.splice(int(examples.length + 1), 0, pick(examples.length > 0 ? examples : [{ input: '1+2', output: '3' }]));
        if (variant === 2) data.tasks = ['sum.digits', 'sum.digits', { id: 'x', answer: 'y' }, { id: 'x', answer: 'z' }];
        return reformat(data);
      }
      const experiment = (data.experiment ?? {}) as Record<string, unknown>;
      for (const key of ['pool', 'tasks', 'models']) {
        const list = experiment[key];
        if (Array.isArray(list) && list.length > 0) experiment[key] = [...list, list[0]];
        else if (key === 'models' && chance(0.5)) experiment.models = ['m', 'm'];
      }
      return reformat(data);
    },
    'invalid-json': (kind, seed) => {
      const json = kind === 'text' ? pick(seeds.json) : seed;
      switch (int(13)) {
        case 0:
          return json.slice(0, int(json.length));
        case 1: {
          let text = json;
          for (let k = 1 + int(3); k > 0; k--) {
            const at = int(text.length);
            text = text.slice(0, at) + text.slice(at + 1);
          }
          return text;
        }
        case 2: {
          let text = json;
          for (let k = 1 + int(3); k > 0; k--) text = insertAt(text, pick(['{', '}', '[', ']', ',', ':', '"', '\\', 'x', '0']));
          return text;
        }
        case 3:
          return json.replace(/\n(\s*)([}\]])/, (_m, sp: string, close: string) => `,\n${sp}${close}`);
        case 4:
          return insertAt(json, pick(['// comment\n', '/* block */', '# hash\n']), json.indexOf('\n') + 1);
        case 5:
          return json.replace(/"/g, "'");
        case 6:
          return json.replace(/"(\w+)":/g, '$1:');
        case 7: {
          const bad = pick(['NaN', 'Infinity', '-Infinity', '01', '.5', '1.', '+1', '0x10', '1e', '-', '1e999', 'undefined', 'True']);
          const replaced = json.replace(/(:\s*)(-?\d[\d.eE+-]*)/, `$1${bad}`);
          return replaced === json ? json.replace(/(:\s*)("[^"]*")/, `$1${bad}`) : replaced;
        }
        case 8:
          return json.replace(/"([^"]+)"(\s*[,}\]])/, (_m, s: string, after: string) => `"${s}${pick(['\\x', '\\u12', '\\', '\\ud800\\u'])}"${after}`);
        case 9: {
          const n = pick([100, 499, 501, 600, 5000, 100_000]);
          return chance(0.5) ? `${'['.repeat(n)}${']'.repeat(chance(0.5) ? n : int(n))}` : `${'{"a":'.repeat(n)}1${'}'.repeat(chance(0.5) ? n : int(n))}`;
        }
        case 10:
          return pick([`${json} ${json}`, `${json}}`, `${json},`, '{} {}', '}{', `${json}\u0000`]);
        case 11:
          return json.replace(/"([^"\n]{2,})"/, (_m, s: string) => `"${s.slice(0, 1)}\n${s.slice(1)}"`);
        default:
          return insertAt(chance(0.5) ? `\uFEFF${json}` : json, '\uFEFF');
      }
    },
    mutation: (kind, seed) => {
      if (kind !== 'text') return reformat(mutateValue(JSON.parse(seed), 0));
      let lines = seed.split('\n');
      for (let k = 1 + int(4); k > 0; k--) {
        const op = int(6);
        const i = int(lines.length);
        if (op === 0) lines.splice(i, 1);
        else if (op === 1) lines = lines.sort(() => rng() - 0.5);
        else if (op === 2) lines[i] = (lines[i] ?? '').replace(SEPARATOR, pick(['=>', ':', '=', '\t', ' -> ', '', '->->', '—>']));
        else if (op === 3) lines[i] = (lines[i] ?? '').replace(/\d+/, () => String(int(2000)));
        else if (op === 4) lines.splice(i, 0, pick(['', '   ', '->', 'Chile->Santiago', 'planet->p', '12@34=12', '75+72->147']));
        else lines[i] = `${' '.repeat(int(3))}${lines[i] ?? ''}${pick(['', ' ', '\t', '  \t'])}`;
      }
      return lines.join('\n');
    },
    scratch: () => {
      const parts: string[] = chance(0.4) ? ['{'] : [];
      for (let k = int(200); k > 0; k--) parts.push(pick(TOKENS));
      return parts.join(chance(0.3) ? ' ' : '');
    },
  };

  const fileNames: Record<Kind, readonly (string | undefined)[]> = {
    text: [undefined, 'mix.txt', 'prompt.md', '', 'a.superposition.json'],
    json: [undefined, 'a.superposition.json', 'B.JSON', 'mix.txt'],
    experiment: [undefined, 'scaling.superposition.json', 'plan.txt'],
  };

  // ---------------------------------------------------------------------------------------------
  // Run.
  const perCategory = new Map<Category, { inputs: number; mixes: number; detected: number; plans: number }>();
  const perKind = new Map<Kind, number>();
  let total = 0;
  let hugeCount = 0;
  const hugeMs: number[] = [];
  const slowest = new Map<Category, number>();
  let mostTasks = 0;
  const pathMs: Record<'mix' | 'detect' | 'experiment', number> = { mix: 0, detect: 0, experiment: 0 };

  for (const category of CATEGORIES) {
    const stats = { inputs: 0, mixes: 0, detected: 0, plans: 0 };
    perCategory.set(category, stats);
    for (let index = 0; index < COUNTS[category]; index++) {
      const kind = KINDS[index % KINDS.length]!;
      const ctx: Ctx = { category, kind, index };
      const text = generators[category](kind, pick(seeds[kind]));
      const names = fileNames[kind];
      const fileName = names[int(names.length)];
      const bytes = text.length > MAX_BYTES / 4 ? utf8ByteLength(text) : 0;
      const huge = bytes > MAX_BYTES;
      const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
      const lines = huge ? [''] : body.split(/\r\n|\r|\n/);

      const inputStart = performance.now();
      let t0 = inputStart;
      let mixResult: ReturnType<typeof parseMix> | undefined;
      try {
        mixResult = parseMix(text, fileName);
      } catch (err) {
        assert.fail(`parseMix threw ${String(err)} — ${where(ctx, text)}`);
      }
      const mixMs = performance.now() - t0;
      pathMs.mix += mixMs;
      checkDiagnostics(text, lines, mixResult.diagnostics, `parseMix(${JSON.stringify(fileName)})`, ctx);
      if (mixResult.mix) {
        stats.mixes++;
        check(!hasErrors(mixResult.diagnostics), () => `a mix with errors — ${where(ctx, text)}`);
        t0 = performance.now();
        let detection: ReturnType<typeof detectTasks> | undefined;
        try {
          detection = detectTasks(mixResult.mix);
        } catch (err) {
          assert.fail(`detectTasks threw ${String(err)} — ${where(ctx, text)}`);
        }
        pathMs.detect += performance.now() - t0;
        checkDiagnostics(text, lines, detection.diagnostics, 'detectTasks', ctx);
        mostTasks = Math.max(mostTasks, detection.tasks.length);
        if (detection.tasks.length === 0) check(hasErrors(detection.diagnostics), () => `no tasks and no error — ${where(ctx, text)}`);
        else stats.detected++;
        if (detection.tasks.some((t) => t.answer === undefined)) check(hasErrors(detection.diagnostics), () => `a task without answer and no error — ${where(ctx, text)}`);
      } else {
        check(hasErrors(mixResult.diagnostics), () => `parseMix: no mix and no error — ${where(ctx, text)}`);
      }

      t0 = performance.now();
      let experiment: ReturnType<typeof parseExperimentFile> | undefined;
      try {
        experiment = parseExperimentFile(text, chance(0.5) ? { defaultModels: ['llama3.2'] } : {});
      } catch (err) {
        assert.fail(`parseExperimentFile threw ${String(err)} — ${where(ctx, text)}`);
      }
      const experimentMs = performance.now() - t0;
      pathMs.experiment += experimentMs;
      checkDiagnostics(text, lines, experiment.diagnostics, 'parseExperimentFile', ctx);
      if (experiment.plan) {
        stats.plans++;
        check(!hasErrors(experiment.diagnostics), () => `a plan with errors — ${where(ctx, text)}`);
      } else check(hasErrors(experiment.diagnostics), () => `parseExperimentFile: no plan and no error — ${where(ctx, text)}`);

      if (huge) {
        hugeCount++;
        hugeMs.push(mixMs, experimentMs);
        for (const [name, diagnostics, ms] of [['parseMix', mixResult.diagnostics, mixMs], ['parseExperimentFile', experiment.diagnostics, experimentMs]] as const) {
          check(diagnostics.some((d) => d.code === 'too-large' && d.severity === 'error'), () => `${name}: no size diagnostic for ${bytes} bytes: ${JSON.stringify(diagnostics)} — ${where(ctx, text)}`);
          check(ms < HUGE_MS, () => `${name}: ${ms.toFixed(0)} ms for the size diagnostic of ${bytes} bytes — ${where(ctx, text)}`);
        }
      } else if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(body)) {
        for (const [name, diagnostics] of [['parseMix', mixResult.diagnostics], ['parseExperimentFile', experiment.diagnostics]] as const) {
          check(diagnostics.some((d) => d.code === 'binary' && d.severity === 'error'), () => `${name}: control characters without a binary diagnostic — ${where(ctx, text)}`);
        }
      }
      const inputMs = performance.now() - inputStart;
      slowest.set(category, Math.max(slowest.get(category) ?? 0, inputMs));
      check(inputMs < INPUT_MS, () => `${inputMs.toFixed(0)} ms for one input (parse, detect, experiment) — ${where(ctx, text)}`);
      stats.inputs++;
      total++;
      perKind.set(kind, (perKind.get(kind) ?? 0) + 1);
    }
  }

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const rows = CATEGORIES.map((c) => {
    const s = perCategory.get(c)!;
    return `  ${c.padEnd(19)} ${String(s.inputs).padStart(5)} inputs  ${String(s.mixes).padStart(5)} mixes (${String(s.detected).padStart(4)} with tasks)  ${String(s.plans).padStart(4)} plans  slowest ${(slowest.get(c) ?? 0).toFixed(0).padStart(4)} ms`;
  });
  console.log(
    [
      `fuzz inputs: ${total} inputs in ${seconds} s (text ${perKind.get('text')}, json ${perKind.get('json')}, experiment ${perKind.get('experiment')}); ` +
        `parseMix ${(pathMs.mix / 1000).toFixed(1)} s, detectTasks ${(pathMs.detect / 1000).toFixed(1)} s, parseExperimentFile ${(pathMs.experiment / 1000).toFixed(1)} s; ` +
        `${hugeCount} inputs > 1 MB, size diagnostic in ${median(hugeMs).toFixed(1)} ms (median), ${Math.max(...hugeMs).toFixed(1)} ms (slowest); most tasks in one mix ${mostTasks}`,
      ...rows,
    ].join('\n'),
  );
  assert.ok(total >= 10_000, `only ${total} inputs`);
  assert.ok(hugeCount >= 200, `only ${hugeCount} inputs > 1 MB`);
  assert.ok(mostTasks >= 500, `the largest mix had only ${mostTasks} tasks`);
  // Both outcomes are exercised: the seeds give mixes, tasks and plans; the damage gives errors.
  const seedStats = perCategory.get('seed')!;
  assert.ok(seedStats.mixes >= 100 && seedStats.detected >= 50 && seedStats.plans >= 40, JSON.stringify(seedStats));
  for (const c of ['unicode', 'rtl', 'emoji', 'crlf', 'duplicate-examples', 'mutation'] as const) {
    const s = perCategory.get(c)!;
    assert.ok(s.mixes > 0 && s.mixes < s.inputs, `${c}: ${JSON.stringify(s)}`);
  }
});

// Regressions found by the generator above, pinned down one by one.

test('a > 1 MB experiment file opened as a prompt mix gets the size diagnostic, not a JSON parse', () => {
  const text = JSON.stringify({ description: 'd'.repeat(MAX_BYTES), experiment: { kind: 'scaling', pool: ['sum.digits'], kMax: 1 } });
  const started = performance.now();
  const result = parseMix(text, 'big.superposition.json');
  assert.deepEqual(result.diagnostics.map((d) => d.code), ['too-large']);
  assert.ok(performance.now() - started < HUGE_MS);
});

test('user text quoted in diagnostics is escaped: controls, bidi overrides, lone surrogates, the tab of a zod message', () => {
  const safe = (diagnostics: readonly Diagnostic[]) => {
    assert.ok(diagnostics.length > 0);
    for (const d of diagnostics) assert.ok(!UNSAFE.test(d.message) && !UNSAFE.test(d.path ?? ''), JSON.stringify(d));
  };
  const separator = parseMix('{"separator": "x", "examples": [], "query": "q"}', 'a.json').diagnostics;
  safe(separator);
  assert.ok(separator.some((d) => d.message.includes('"\\t"')), JSON.stringify(separator));
  const key = parseMix('{"examples": [], "query": "q", "\\u001b[2J\\u202e": 1}', 'a.json').diagnostics;
  safe(key);
  assert.ok(key.some((d) => d.message.includes('\\u001B[2J\\u202E')), JSON.stringify(key));
  // The scanner names the whole emoji, not half of it.
  const emoji = parseMix('{🙂}', 'a.json').diagnostics;
  safe(emoji);
  assert.match(emoji[0]!.message, /character `🙂`/);
  const query = parseMix(JSON.stringify({ examples: [{ input: '1+2', output: '3' }, { input: '2+2', output: '4' }], query: 'Chile\ud800\u202e', tasks: ['sum.digits'] }), 'a.json');
  assert.ok(query.mix);
  const detection = detectTasks(query.mix);
  safe(detection.diagnostics);
  assert.ok(detection.diagnostics.some((d) => d.code === 'no-answer' && d.message.includes("'Chile\\uD800\\u202E'")), JSON.stringify(detection.diagnostics));
  const after = parseMix('1+2->3\n2+2->4\n1+1->\u202e\u0085x').diagnostics;
  safe(after);
  assert.ok(after.some((d) => d.code === 'no-query' && d.message.includes('\\u202E\\u0085x')));
  // A long value is cut on a character boundary.
  const long = parseMix(`1+2->3\n2+2->4\n1+1->${'🙂'.repeat(40)}`).diagnostics;
  safe(long);
});

test('thousands of tasks with equal or prefix answers: no stack overflow, a bounded number of warnings', () => {
  const tasks = Array.from({ length: 1000 }, (_, i) => ({ id: `t${i}`, answer: 'a'.repeat(1 + (i % 4)) }));
  const parsed = parseMix(JSON.stringify({ examples: [{ input: 'x', output: 'y' }, { input: 'z', output: 'w' }], query: 'q', tasks }), 'a.json');
  assert.ok(parsed.mix, JSON.stringify(parsed.diagnostics.slice(0, 3)));
  const detection = detectTasks(parsed.mix);
  assert.equal(detection.tasks.length, 1000);
  const count = (code: string) => detection.diagnostics.filter((d) => d.code === code).length;
  assert.equal(count('duplicate-answers'), 101);
  assert.equal(count('prefix-answers'), 101);
  assert.ok(detection.diagnostics.some((d) => /^\d+ more pairs of tasks with this problem \(duplicate-answers\) not shown$/.test(d.message)));
  const tooMany = parseMix(JSON.stringify({ examples: [{ input: 'x', output: 'y' }, { input: 'z', output: 'w' }], query: 'q', tasks: [...tasks, { id: 'one-more', answer: 'b' }] }), 'a.json');
  assert.equal(tooMany.mix, undefined);
  assert.deepEqual(tooMany.diagnostics.map((d) => [d.code, d.path]), [['too-many-tasks', 'tasks']]);
  // Unmatched examples: 100 warnings and one summary, not one per line.
  const unmatched = parseMix(`${Array.from({ length: 5000 }, (_, i) => `w${i}->z`).join('\n')}\nq->`);
  assert.ok(unmatched.mix);
  const warnings = detectTasks(unmatched.mix).diagnostics.filter((d) => d.code === 'unmatched-example');
  assert.equal(warnings.length, 101);
  assert.equal(warnings[100]!.message, '4900 more like this (unmatched-example) not shown');
});

test('experiment files with huge task, model or mixture-point lists get a diagnostic, quickly', () => {
  const many = (prefix: string) => Array.from({ length: 60_000 }, (_, i) => `${prefix}${i}`);
  const files = [
    { experiment: { kind: 'scaling', pool: many('t'), kMax: 1, models: ['m'] } },
    { experiment: { kind: 'scaling', pool: ['sum.digits'], kMax: 1, models: many('m') } },
    { experiment: { kind: 'calibration', tasks: ['sum.digits', 'sum.en'], models: ['m'], proportions: Array.from({ length: 60_000 }, () => [1, 1]) } },
  ];
  for (const file of files) {
    const started = performance.now();
    const result = parseExperimentFile(JSON.stringify(file));
    const ms = performance.now() - started;
    assert.equal(result.plan, undefined);
    assert.ok(result.diagnostics.some((d) => d.code === 'list-limit' && /at most 1000/.test(d.message)), JSON.stringify(result.diagnostics));
    assert.ok(ms < INPUT_MS, `${ms.toFixed(0)} ms`);
  }
});
