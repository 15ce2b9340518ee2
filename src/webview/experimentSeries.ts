/**
 * Pure series builders of the experiment views (scaling and calibration): plain arrays for the line
 * and bar charts and their tables. No DOM access here, so it is unit-tested under Node
 * (test/unit/webviewExperiments.test.ts).
 */
import type { CalibrationAggregate, ExperimentRecord, ScalingAggregate } from '../core/experiments/record';
import { formatPercent, taskColorIndex } from './format';

/** One chart point; y null leaves a gap in the line. */
export interface XY {
  x: number;
  y: number | null;
}

/** One line of a line chart: a model (of one run, when comparing), with its 95% interval per point. */
export interface SeriesLine {
  model: string;
  label: string;
  /** Palette slot of the model (record.models / plan order). */
  colorIndex: number;
  /** Which run of a comparison the line belongs to; undefined for a single experiment. */
  run?: 'left' | 'right';
  points: XY[];
  low: (number | null)[];
  high: (number | null)[];
}

export interface ScalingSeries {
  kind: 'scaling';
  kMin: number;
  kMax: number;
  /** E[r] against K, one line per model, sorted by K. */
  r: SeriesLine[];
  /** Task mass against K, one line per model (no intervals). */
  taskMass: SeriesLine[];
  /** The ideal r = K, over kMin..kMax. */
  diagonal: XY[];
  /** Upper end of the r axis. */
  rMax: number;
}

export interface KlBars {
  /** Category labels (models, or "Left · model" when comparing). */
  labels: string[];
  models: string[];
  colorIndex: number[];
  /** Mean over the finite values; null (a gap) when none was finite. */
  kl: (number | null)[];
  klNormalized: (number | null)[];
  /** Prompts whose KL was infinite (a task answer with probability 0). */
  infinite: number[];
  infiniteNormalized: number[];
  /** Prompts measured per bar. */
  n: number[];
}

export interface CalibrationSeries {
  kind: 'calibration';
  tasks: string[];
  /** Probability of the first task against its in-context share (proportions[0]), one line per model. */
  p1: SeriesLine[];
  /** Perfectly calibrated reference: p = share. */
  diagonal: XY[];
  kl: KlBars;
}

export type ExperimentSeries = ScalingSeries | CalibrationSeries;

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** Models in plan order, then any other model seen in the record (models list, aggregates). */
export function experimentModels(record: ExperimentRecord): string[] {
  const out: string[] = [];
  const add = (m: string) => {
    if (!out.includes(m)) out.push(m);
  };
  record.plan.models.forEach(add);
  record.models.forEach((m) => add(m.name));
  (record.aggregates.scaling ?? []).forEach((a) => add(a.model));
  (record.aggregates.calibration ?? []).forEach((a) => add(a.model));
  return out;
}

function scalingRange(record: ExperimentRecord): { kMin: number; kMax: number } {
  const ks = (record.aggregates.scaling ?? []).map((a) => a.K);
  if (record.plan.kind === 'scaling') return { kMin: Math.min(record.plan.kMin, ...ks), kMax: Math.max(record.plan.kMax, ...ks) };
  return { kMin: ks.length ? ks.reduce((a, b) => Math.min(a, b)) : 1, kMax: ks.length ? ks.reduce((a, b) => Math.max(a, b)) : 1 };
}

/** The ideal r = K for K = kMin..kMax (integers). */
export function scalingDiagonal(kMin: number, kMax: number): XY[] {
  const out: XY[] = [];
  for (let k = Math.ceil(kMin); k <= Math.floor(kMax); k++) out.push({ x: k, y: k });
  return out;
}

/** A "nice" axis end: the next integer at or above the largest value, at least `floor`. */
function niceMax(values: readonly number[], floor: number): number {
  const peak = Math.max(floor, ...values.filter(finite));
  return Math.ceil(peak - 1e-9);
}

export function scalingSeries(record: ExperimentRecord): ScalingSeries {
  const { kMin, kMax } = scalingRange(record);
  const aggregates = record.aggregates.scaling ?? [];
  const r: SeriesLine[] = [];
  const taskMass: SeriesLine[] = [];
  experimentModels(record).forEach((model, i) => {
    const rows = aggregates.filter((a) => a.model === model).sort((a, b) => a.K - b.K);
    r.push({
      model,
      label: model,
      colorIndex: taskColorIndex(i),
      points: rows.map((a) => ({ x: a.K, y: a.r && finite(a.r.mean) ? a.r.mean : null })),
      low: rows.map((a) => (a.r && finite(a.r.lower) ? a.r.lower : null)),
      high: rows.map((a) => (a.r && finite(a.r.upper) ? a.r.upper : null)),
    });
    taskMass.push({
      model,
      label: model,
      colorIndex: taskColorIndex(i),
      points: rows.map((a) => ({ x: a.K, y: finite(a.taskMass) ? a.taskMass : null })),
      low: rows.map(() => null),
      high: rows.map(() => null),
    });
  });
  const peaks = r.flatMap((l) => [...l.points.map((p) => p.y ?? 0), ...l.high.map((v) => v ?? 0)]);
  return { kind: 'scaling', kMin, kMax, r, taskMass, diagonal: scalingDiagonal(kMin, kMax), rMax: niceMax(peaks, kMax) };
}

/** In-context share of the first task at a calibration point (its normalised planned proportion). */
export function pointShare(a: Pick<CalibrationAggregate, 'proportions'>): number {
  return a.proportions[0] ?? 0;
}

function weightedKl(rows: readonly CalibrationAggregate[], pick: (a: CalibrationAggregate) => CalibrationAggregate['kl']): { mean: number | null; infinite: number } {
  let sum = 0;
  let count = 0;
  let infinite = 0;
  for (const a of rows) {
    const k = pick(a);
    infinite += k.infinite;
    if (k.mean !== null && finite(k.mean) && k.finite > 0) {
      sum += k.mean * k.finite;
      count += k.finite;
    }
  }
  return { mean: count > 0 ? sum / count : null, infinite };
}

export function calibrationSeries(record: ExperimentRecord): CalibrationSeries {
  const aggregates = record.aggregates.calibration ?? [];
  const tasks = record.plan.kind === 'calibration' ? [...record.plan.tasks] : (aggregates[0]?.tasks.map((t) => t.id) ?? []);
  const p1: SeriesLine[] = [];
  const kl: KlBars = { labels: [], models: [], colorIndex: [], kl: [], klNormalized: [], infinite: [], infiniteNormalized: [], n: [] };
  experimentModels(record).forEach((model, i) => {
    const rows = aggregates.filter((a) => a.model === model).sort((a, b) => pointShare(a) - pointShare(b) || a.point - b.point);
    const first = (a: CalibrationAggregate) => a.tasks[0]?.probability;
    p1.push({
      model,
      label: model,
      colorIndex: taskColorIndex(i),
      points: rows.map((a) => {
        const p = first(a);
        return { x: pointShare(a), y: p && finite(p.mean) ? p.mean : null };
      }),
      low: rows.map((a) => {
        const p = first(a);
        return p && finite(p.lower) ? Math.max(0, p.lower) : null;
      }),
      high: rows.map((a) => {
        const p = first(a);
        return p && finite(p.upper) ? Math.min(1, p.upper) : null;
      }),
    });
    const k = weightedKl(rows, (a) => a.kl);
    const kn = weightedKl(rows, (a) => a.klNormalized);
    kl.labels.push(model);
    kl.models.push(model);
    kl.colorIndex.push(taskColorIndex(i));
    kl.kl.push(k.mean);
    kl.klNormalized.push(kn.mean);
    kl.infinite.push(k.infinite);
    kl.infiniteNormalized.push(kn.infinite);
    kl.n.push(rows.reduce((s, a) => s + a.n, 0));
  });
  return { kind: 'calibration', tasks, p1, diagonal: [{ x: 0, y: 0 }, { x: 1, y: 1 }], kl };
}

export function experimentSeries(record: ExperimentRecord): ExperimentSeries {
  return record.kind === 'scaling' ? scalingSeries(record) : calibrationSeries(record);
}

export const RUN_NAMES = { left: 'Left', right: 'Right' } as const;

function tagLines(lines: SeriesLine[], run: 'left' | 'right', colorOf: (model: string) => number): SeriesLine[] {
  return lines.map((l) => ({ ...l, run, label: `${RUN_NAMES[run]} · ${l.model}`, colorIndex: colorOf(l.model) }));
}

/** Union of both runs' models, so a model keeps its colour on both sides. */
function sharedColors(left: ExperimentRecord, right: ExperimentRecord): (model: string) => number {
  const models = experimentModels(left);
  for (const m of experimentModels(right)) if (!models.includes(m)) models.push(m);
  return (model) => taskColorIndex(Math.max(0, models.indexOf(model)));
}

/** Two scaling runs on one chart: lines labelled "Left · model" / "Right · model", interleaved by model. */
export function scalingComparison(left: ExperimentRecord, right: ExperimentRecord): ScalingSeries {
  const l = scalingSeries(left);
  const r = scalingSeries(right);
  const color = sharedColors(left, right);
  const kMin = Math.min(l.kMin, r.kMin);
  const kMax = Math.max(l.kMax, r.kMax);
  return {
    kind: 'scaling',
    kMin,
    kMax,
    r: [...tagLines(l.r, 'left', color), ...tagLines(r.r, 'right', color)],
    taskMass: [...tagLines(l.taskMass, 'left', color), ...tagLines(r.taskMass, 'right', color)],
    diagonal: scalingDiagonal(kMin, kMax),
    rMax: Math.max(l.rMax, r.rMax),
  };
}

export function calibrationComparison(left: ExperimentRecord, right: ExperimentRecord): CalibrationSeries {
  const l = calibrationSeries(left);
  const r = calibrationSeries(right);
  const color = sharedColors(left, right);
  const bars = (b: KlBars, run: 'left' | 'right'): KlBars => ({ ...b, labels: b.models.map((m) => `${RUN_NAMES[run]} · ${m}`), colorIndex: b.models.map(color) });
  const lb = bars(l.kl, 'left');
  const rb = bars(r.kl, 'right');
  const cat = <T>(a: T[], b: T[]) => [...a, ...b];
  return {
    kind: 'calibration',
    tasks: l.tasks,
    p1: [...tagLines(l.p1, 'left', color), ...tagLines(r.p1, 'right', color)],
    diagonal: l.diagonal,
    kl: {
      labels: cat(lb.labels, rb.labels),
      models: cat(lb.models, rb.models),
      colorIndex: cat(lb.colorIndex, rb.colorIndex),
      kl: cat(lb.kl, rb.kl),
      klNormalized: cat(lb.klNormalized, rb.klNormalized),
      infinite: cat(lb.infinite, rb.infinite),
      infiniteNormalized: cat(lb.infiniteNormalized, rb.infiniteNormalized),
      n: cat(lb.n, rb.n),
    },
  };
}

/** Units finished (complete or failed) and planned. */
export function unitProgress(record: Pick<ExperimentRecord, 'units' | 'unitCount'>): { done: number; total: number; failed: number } {
  return { done: record.units.length, total: record.unitCount, failed: record.units.filter((u) => u.status === 'failed').length };
}

/** One-line plan summary for the header. */
export function planSummary(record: ExperimentRecord): string {
  const p = record.plan;
  const method = p.method === 'sampling' ? `sampling (${p.samples} samples)` : p.method;
  if (p.kind === 'scaling') {
    const k = p.kMin === p.kMax ? `K ${p.kMin}` : `K ${p.kMin}–${p.kMax}`;
    return [`pool ${p.pool.join(', ')}`, k, `${p.promptsPerK} prompts per K`, `${p.examplesPerTask} examples per task`, `threshold ${formatPercent(p.threshold)}`, `seed ${p.seed}`, `method ${method}`].join(' · ');
  }
  return [`tasks ${p.tasks.join(', ')}`, `${p.proportions.length} mixture points`, `${p.promptsPerPoint} prompts per point`, `${p.totalExamples} examples per prompt`, `seed ${p.seed}`, `method ${method}`].join(' · ');
}

/** Mixture proportions as text: "30% / 70%". */
export function formatProportions(values: readonly number[]): string {
  return values.map((v) => formatPercent(v)).join(' / ');
}

/** "E[r] 1.85 [1.62, 2.08]"-style text of an interval of r (not a probability). */
export function formatR(r: ScalingAggregate['r']): string {
  if (!r || !finite(r.mean)) return '–';
  if (!finite(r.lower) || !finite(r.upper) || Math.abs(r.upper - r.lower) < 5e-3) return r.mean.toFixed(2);
  return `${r.mean.toFixed(2)} [${r.lower.toFixed(2)}, ${r.upper.toFixed(2)}]`;
}

/** Whether the Resume button applies: a stopped (cancelled or failed) experiment that is not running. */
export function resumable(record: Pick<ExperimentRecord, 'status'>, running: boolean): boolean {
  return !running && (record.status === 'cancelled' || record.status === 'failed');
}
