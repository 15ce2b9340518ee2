/**
 * Pure helpers of the results webview: number formatting, visible whitespace, task colours and the
 * plain-array series the charts and tables are built from. No DOM access here, so it is unit-tested
 * under Node (test/unit/webviewFormat.test.ts).
 */
import type { RunRecord, TaskResult } from '../core/record';

/** Interval widths below this are shown as a single value (same rule as the CLI table). */
export const POINT_EPSILON = 5e-5;

/** CSS variables of the task palette, in assignment order (task index modulo the length). */
export const TASK_PALETTE_VARS = [
  '--vscode-charts-blue',
  '--vscode-charts-orange',
  '--vscode-charts-green',
  '--vscode-charts-purple',
  '--vscode-charts-yellow',
  '--vscode-charts-red',
] as const;

/** Fallbacks (VS Code's dark defaults) when a palette variable is not set (e.g. outside VS Code). */
export const TASK_PALETTE_FALLBACKS = ['#3794ff', '#d18616', '#89d185', '#b180d7', '#cca700', '#f14c4c'] as const;

/** Palette slot of the task at `index` (stable: the order of record.tasks). */
export function taskColorIndex(index: number): number {
  const n = TASK_PALETTE_VARS.length;
  return ((Math.trunc(index) % n) + n) % n;
}

/** CSS class carrying the task colour (`--task-color`), see styles.css. */
export function taskColorClass(index: number): string {
  return `task-c${taskColorIndex(index)}`;
}

/** Task id → palette index, in record.tasks order. */
export function taskColorMap(record: Pick<RunRecord, 'tasks'>): Map<string, number> {
  const map = new Map<string, number>();
  record.tasks.forEach((t, i) => map.set(t.id, taskColorIndex(i)));
  return map;
}

/** Percent text for a probability in [0, 1]: 42.0%, 1.33%, 0.0042%, 1.2e-7%. */
export function formatPercent(p: number): string {
  if (!Number.isFinite(p)) return '–';
  if (p === 0) return '0%';
  const pct = p * 100;
  const abs = Math.abs(pct);
  if (abs >= 10) return `${pct.toFixed(1)}%`;
  if (abs >= 0.1) return `${pct.toFixed(2)}%`;
  if (abs >= 1e-3) return `${Number(pct.toPrecision(2))}%`;
  return `${pct.toExponential(1)}%`;
}

/** "[42.0%, 42.2%]"; a single value when the bounds (nearly) coincide. Bounds are clamped to [0, 1]. */
export function formatInterval(lower: number, upper: number): string {
  const lo = clamp01(lower);
  const hi = clamp01(upper);
  if (Math.abs(hi - lo) < POINT_EPSILON) return formatPercent(lo);
  return `[${formatPercent(lo)}, ${formatPercent(hi)}]`;
}

type Estimate = Pick<TaskResult, 'probability' | 'lower' | 'upper' | 'exact' | 'ci95' | 'count'>;

/** How a task's measured probability is shown: exact value, interval, or frequency with its 95% CI. */
export function formatEstimate(t: Estimate): string {
  if (t.ci95) return `${formatPercent(t.probability)} (95% CI ${formatPercent(clamp01(t.ci95[0]))}–${formatPercent(clamp01(t.ci95[1]))})`;
  if (t.exact || Math.abs(t.upper - t.lower) < POINT_EPSILON) return formatPercent(t.probability);
  return formatInterval(t.lower, t.upper);
}

/** Divergences: null (infinite or undefined) is shown as ∞. */
export function formatKl(value: number | null): string {
  if (value === null) return '∞';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '–';
  return value.toFixed(4);
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const min = Math.floor(s / 60);
  return `${min} min ${Math.round(s - min * 60)} s`;
}

/** First 12 hex digits of a digest (without "sha256:"); "–" when unknown. */
export function shortDigest(digest: string | undefined): string {
  if (!digest) return '–';
  return digest.replace(/^sha256:/, '').slice(0, 12);
}

const WHITESPACE_GLYPHS: Record<string, string> = {
  ' ': '␣',
  '\n': '⏎',
  '\r': '␍',
  '\t': '⇥',
  '\u00a0': '⍽',
  '\u000b': '␋',
  '\u000c': '␌',
};

/**
 * A token with its whitespace and invisible characters made visible: space ␣, newline ⏎, tab ⇥,
 * carriage return ␍, no-break space ⍽, other control characters as their U+24xx pictures, zero-width
 * and bidi characters as ⟨U+XXXX⟩. The empty string is shown as ∅.
 */
export function visibleToken(token: string): string {
  if (token === '') return '∅';
  let out = '';
  for (const ch of token) {
    const glyph = WHITESPACE_GLYPHS[ch];
    if (glyph !== undefined) {
      out += glyph;
      continue;
    }
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20) out += String.fromCodePoint(0x2400 + code);
    else if (code === 0x7f) out += '␡';
    else if (isInvisible(code)) out += `⟨U+${code.toString(16).toUpperCase().padStart(4, '0')}⟩`;
    else out += ch;
  }
  return out;
}

function isInvisible(code: number): boolean {
  return (
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x2069) ||
    code === 0xfeff ||
    code === 0x00ad ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x3000
  );
}

/**
 * An answer in quotes: “noventa y uno”. Inner single spaces stay spaces; leading and trailing
 * whitespace, runs of spaces and every other whitespace or invisible character are made visible.
 */
export function quoteAnswer(answer: string): string {
  if (answer === '') return '“”';
  const m = /^(\s*)([\s\S]*?)(\s*)$/.exec(answer);
  const lead = m?.[1] ?? '';
  const core = m?.[2] ?? answer;
  const trail = m?.[3] ?? '';
  const vis = (t: string) => (t === '' ? '' : visibleToken(t));
  const inner = core
    .split(/( {2,})/)
    .map((part) => (part.startsWith('  ') ? vis(part) : part.split(' ').map(vis).join(' ')))
    .join('');
  return `“${vis(lead)}${inner}${vis(trail)}”`;
}

/** Axis tick text: whole percents when round, else one decimal (0%, 25%, 2.5%). */
export function formatTick(value: number): string {
  const pct = Math.round(value * 1000) / 10;
  return `${Number.isInteger(pct) ? pct.toFixed(0) : pct.toFixed(1)}%`;
}

/** Cuts a label to `max` characters (by code point) with an ellipsis. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join('')}…`;
}

export function clamp01(x: number): number {
  if (Number.isNaN(x)) return 0;
  return Math.min(1, Math.max(0, x));
}

/** One bar of the distribution: a task answer, or "other" (id "other", no share, no colour). */
export interface DistributionRow {
  id: string;
  label: string;
  answer: string;
  probability: number;
  lower: number;
  upper: number;
  exact: boolean;
  ci95?: [number, number];
  count?: number;
  /** In-context share; null for "other". */
  share: number | null;
  examples: number | null;
  /** Interval whisker [low, high] in [0, 1], or null when the value is a point. */
  whisker: [number, number] | null;
  /** Palette index; null for "other". */
  colorIndex: number | null;
  /** Formatted estimate (value, interval or CI). */
  text: string;
}

export interface DistributionSeries {
  rows: DistributionRow[];
  /** Axis labels, two lines each: task label, quoted answer. */
  labels: string[][];
  values: number[];
  whiskerLow: (number | null)[];
  whiskerHigh: (number | null)[];
  shares: (number | null)[];
  colorIndex: (number | null)[];
  /** Upper end of the probability axis (≤ 1) leaving room for bars, whiskers and shares. */
  axisMax: number;
}

/** Whisker of a task: its 95% CI when sampled, else [lower, upper] when that is a real interval. */
export function whiskerOf(t: Pick<TaskResult, 'lower' | 'upper' | 'ci95'>): [number, number] | null {
  if (t.ci95) return [clamp01(t.ci95[0]), clamp01(t.ci95[1])];
  const lo = clamp01(t.lower);
  const hi = clamp01(t.upper);
  return hi - lo >= POINT_EPSILON ? [lo, hi] : null;
}

/** The distribution chart and table data of a run: one row per task, then "other". */
export function distributionSeries(record: Pick<RunRecord, 'tasks' | 'other'>): DistributionSeries {
  const rows: DistributionRow[] = record.tasks.map((t, i) => ({
    id: t.id,
    label: t.label,
    answer: t.answer,
    probability: t.probability,
    lower: t.lower,
    upper: t.upper,
    exact: t.exact,
    ...(t.ci95 ? { ci95: t.ci95 } : {}),
    ...(t.count !== undefined ? { count: t.count } : {}),
    share: t.share,
    examples: t.examples,
    whisker: whiskerOf(t),
    colorIndex: taskColorIndex(i),
    text: formatEstimate(t),
  }));
  const o = record.other;
  // Sampled runs give "other" a frequency with its 95% CI in lower/upper; logprobs runs give bounds.
  const sampled = record.tasks.some((t) => t.ci95 !== undefined);
  const otherCi: [number, number] | undefined = sampled ? [o.lower, o.upper] : undefined;
  const otherWhisker = whiskerOf({ lower: o.lower, upper: o.upper, ...(otherCi ? { ci95: otherCi } : {}) });
  rows.push({
    id: 'other',
    label: 'other',
    answer: '',
    probability: o.probability,
    lower: o.lower,
    upper: o.upper,
    exact: !sampled && otherWhisker === null,
    ...(otherCi ? { ci95: otherCi } : {}),
    share: null,
    examples: null,
    whisker: otherWhisker,
    colorIndex: null,
    text: otherCi ? formatEstimate({ probability: o.probability, lower: o.lower, upper: o.upper, exact: false, ci95: otherCi }) : otherWhisker ? formatInterval(o.lower, o.upper) : formatPercent(o.probability),
  });
  const labels = rows.map((r) => (r.id === 'other' ? ['other', '(any other answer)'] : [truncate(r.label, 32), truncate(quoteAnswer(r.answer), 32)]));
  const peaks = rows.flatMap((r) => [r.probability, r.whisker?.[1] ?? 0, r.share ?? 0]);
  return {
    rows,
    labels,
    values: rows.map((r) => r.probability),
    whiskerLow: rows.map((r) => r.whisker?.[0] ?? null),
    whiskerHigh: rows.map((r) => r.whisker?.[1] ?? null),
    shares: rows.map((r) => r.share),
    colorIndex: rows.map((r) => r.colorIndex),
    axisMax: axisMax(peaks),
  };
}

/** Axis end: the next tenth above the largest value with some headroom, between 0.1 and 1. */
export function axisMax(values: readonly number[]): number {
  const m = Math.max(0, ...values.filter((v) => Number.isFinite(v)));
  const tenth = Math.ceil(m * 10 + 0.5 - 1e-9) / 10;
  return Math.min(1, Math.max(0.1, Math.round(tenth * 10) / 10));
}

/** One row of a comparison: a task (by id) present in the left run, the right run or both; or "other". */
export interface ComparisonRow {
  id: string;
  label: string;
  leftAnswer: string | null;
  rightAnswer: string | null;
  left: number | null;
  right: number | null;
  leftWhisker: [number, number] | null;
  rightWhisker: [number, number] | null;
  leftShare: number | null;
  rightShare: number | null;
  leftText: string;
  rightText: string;
  colorIndex: number | null;
}

export interface ComparisonSeries {
  rows: ComparisonRow[];
  labels: string[][];
  left: (number | null)[];
  right: (number | null)[];
  axisMax: number;
}

/** Aligns two runs by task id (left order first, then tasks only on the right), then "other". */
export function comparisonSeries(left: Pick<RunRecord, 'tasks' | 'other'>, right: Pick<RunRecord, 'tasks' | 'other'>): ComparisonSeries {
  const ids: string[] = [];
  for (const t of [...left.tasks, ...right.tasks]) if (!ids.includes(t.id)) ids.push(t.id);
  const rows: ComparisonRow[] = ids.map((id, i) => {
    const l = left.tasks.find((t) => t.id === id);
    const r = right.tasks.find((t) => t.id === id);
    return {
      id,
      label: (l ?? r)?.label ?? id,
      leftAnswer: l?.answer ?? null,
      rightAnswer: r?.answer ?? null,
      left: l?.probability ?? null,
      right: r?.probability ?? null,
      leftWhisker: l ? whiskerOf(l) : null,
      rightWhisker: r ? whiskerOf(r) : null,
      leftShare: l?.share ?? null,
      rightShare: r?.share ?? null,
      leftText: l ? formatEstimate(l) : '–',
      rightText: r ? formatEstimate(r) : '–',
      colorIndex: taskColorIndex(i),
    };
  });
  const lw = whiskerOf(left.other);
  const rw = whiskerOf(right.other);
  rows.push({
    id: 'other',
    label: 'other',
    leftAnswer: null,
    rightAnswer: null,
    left: left.other.probability,
    right: right.other.probability,
    leftWhisker: lw,
    rightWhisker: rw,
    leftShare: null,
    rightShare: null,
    leftText: lw ? formatInterval(left.other.lower, left.other.upper) : formatPercent(left.other.probability),
    rightText: rw ? formatInterval(right.other.lower, right.other.upper) : formatPercent(right.other.probability),
    colorIndex: null,
  });
  const labels = rows.map((r) => {
    if (r.id === 'other') return ['other'];
    const answers =
      r.leftAnswer !== null && r.rightAnswer !== null && r.leftAnswer !== r.rightAnswer
        ? `${quoteAnswer(r.leftAnswer)} / ${quoteAnswer(r.rightAnswer)}`
        : quoteAnswer(r.leftAnswer ?? r.rightAnswer ?? '');
    return [truncate(r.label, 32), truncate(answers, 32)];
  });
  const peaks = rows.flatMap((r) => [r.left ?? 0, r.right ?? 0, r.leftWhisker?.[1] ?? 0, r.rightWhisker?.[1] ?? 0, r.leftShare ?? 0, r.rightShare ?? 0]);
  return { rows, labels, left: rows.map((r) => r.left), right: rows.map((r) => r.right), axisMax: axisMax(peaks) };
}

/** One line of the header comparison: a field of both runs, flagged when they differ. */
export interface MetaDifference {
  field: string;
  left: string;
  right: string;
  differs: boolean;
}

/** The option summary shown in headers: "top-K 4 · concurrency 1 · seed 1000" (+ samples when sampling). */
export function optionsSummary(record: Pick<RunRecord, 'options' | 'method'>): string {
  const o = record.options;
  const parts: string[] = [];
  if (record.method === 'sampling' || o.requestedMethod === 'sampling') parts.push(`samples ${o.samples}`);
  parts.push(`top-K ${o.topK}`, `concurrency ${o.concurrency}`, `seed ${o.seed}`);
  return parts.join(' · ');
}

export function methodSummary(record: Pick<RunRecord, 'options' | 'method'>): string {
  const requested = record.options.requestedMethod === 'auto' ? ' (auto)' : '';
  return `${record.method}${requested}${record.options.terminated ? ' + terminated' : ''}`;
}

/** Field-by-field differences between two runs: model, digest, server, method, options, prompt. */
export function metaDifferences(left: RunRecord, right: RunRecord): MetaDifference[] {
  const row = (field: string, l: string, r: string): MetaDifference => ({ field, left: l, right: r, differs: l !== r });
  const examples = (rec: RunRecord) => `${rec.input.examples.length} examples`;
  const samePrompt = left.input.prompt === right.input.prompt;
  return [
    row('Model', left.model, right.model),
    row('Digest', shortDigest(left.modelDigest), shortDigest(right.modelDigest)),
    row('Ollama', left.server.version ?? '–', right.server.version ?? '–'),
    row('Method', methodSummary(left), methodSummary(right)),
    row('Options', optionsSummary(left), optionsSummary(right)),
    row('Query', `${left.input.query}${left.input.separator}`, `${right.input.query}${right.input.separator}`),
    row('Examples', examples(left), examples(right)),
    {
      field: 'Prompt',
      left: samePrompt ? 'identical' : `${[...left.input.prompt].length} characters`,
      right: samePrompt ? 'identical' : `${[...right.input.prompt].length} characters`,
      differs: !samePrompt,
    },
    row('Status', left.status, right.status),
  ];
}

/** One line of the prompt as sent: an example (with its detected tasks) or the final query line. */
export interface PromptLine {
  /** 1-based line number within the prompt. */
  number: number;
  kind: 'example' | 'query';
  input: string;
  output: string;
  /** Detected task ids (empty: unmatched); always empty for the query. */
  tasks: string[];
  /** Line in the source file, when known. */
  sourceLine: number | null;
}

/**
 * Splits the prompt as sent into its lines. The prompt is the examples joined by "\n" followed by the
 * query line; when an example spans lines (structured files) the lines are rebuilt from the examples.
 */
export function promptLines(input: RunRecord['input']): PromptLine[] {
  const lines: PromptLine[] = input.examples.map((e, i) => ({
    number: i + 1,
    kind: 'example',
    input: e.input,
    output: e.output,
    tasks: [...e.tasks],
    sourceLine: e.line > 0 ? e.line : null,
  }));
  lines.push({ number: input.examples.length + 1, kind: 'query', input: input.query, output: '', tasks: [], sourceLine: null });
  return lines;
}

/** Whether every prompt line rebuilt from the examples matches the prompt as sent. */
export function promptMatchesExamples(input: RunRecord['input']): boolean {
  const rebuilt = [...input.examples.map((e) => `${e.input}${input.separator}${e.output}`), `${input.query}${input.separator}`].join('\n');
  return rebuilt === input.prompt;
}

/** Probability bucket of a token step, for its chip style. */
export function stepBucket(p: number): 'high' | 'mid' | 'low' {
  if (p >= 0.9) return 'high';
  if (p >= 0.3) return 'mid';
  return 'low';
}

/** A CSS colour with an alpha channel; hex (#rgb, #rrggbb, #rrggbbaa) and rgb()/rgba() are converted, others returned as is. */
export function withAlpha(color: string, alpha: number): string {
  const c = color.trim();
  const a = clamp01(alpha);
  let m = /^#([0-9a-f]{3,4})$/i.exec(c);
  if (m) {
    const d = m[1]!;
    const [r, g, b] = [0, 1, 2].map((i) => parseInt(d[i]! + d[i]!, 16));
    return `rgba(${r}, ${g}, ${b}, ${a})`;
  }
  m = /^#([0-9a-f]{6})([0-9a-f]{2})?$/i.exec(c);
  if (m) {
    const d = m[1]!;
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(d.slice(i, i + 2), 16));
    return `rgba(${r}, ${g}, ${b}, ${a})`;
  }
  m = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(c);
  if (m) return `rgba(${m[1]}, ${m[2]}, ${m[3]}, ${a})`;
  return c;
}

/** The body state the E2E waits on. */
export type ViewStateName = 'waiting' | 'running' | 'complete' | 'cancelled' | 'failed' | 'comparison' | 'error';

export function runState(record: Pick<RunRecord, 'status'>, running: boolean): ViewStateName {
  return running ? 'running' : record.status;
}

/** Accessible one-sentence summary of the distribution (the chart canvas's label). */
export function distributionSummary(series: DistributionSeries): string {
  const parts = series.rows.map((r) => `${r.id === 'other' ? 'other answers' : `${r.label} ${quoteAnswer(r.answer)}`} ${r.text}${r.share !== null ? ` (share ${formatPercent(r.share)})` : ''}`);
  return `Answer probabilities: ${parts.join('; ')}.`;
}
