import { Z95 } from '../estimate/stats';
import type { ExperimentPlan } from './planSchema';
import type { CalibrationAggregate, ScalingAggregate, UnitResult } from './record';

/** Running mean and variance (Welford): one finished prompt costs the same at 10 prompts and at 10 000. */
class Moments {
  n = 0;
  private mean = 0;
  private m2 = 0;

  add(x: number): void {
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }

  /** Same values as `meanInterval` of the sample (up to rounding). */
  interval(): { mean: number; lower: number; upper: number } {
    if (this.n === 0) return { mean: Number.NaN, lower: Number.NaN, upper: Number.NaN };
    if (this.n === 1) return { mean: this.mean, lower: this.mean, upper: this.mean };
    const half = Z95 * Math.sqrt(this.m2 / (this.n - 1) / this.n);
    return { mean: this.mean, lower: this.mean - half, upper: this.mean + half };
  }

  get value(): number {
    return this.n === 0 ? 0 : this.mean;
  }
}

class KlSum {
  private sum = 0;
  finite = 0;
  infinite = 0;

  add(v: number | null): void {
    if (v !== null && Number.isFinite(v)) {
      this.finite++;
      this.sum += v;
    } else this.infinite++;
  }

  summary(): CalibrationAggregate['kl'] {
    return { mean: this.finite > 0 ? this.sum / this.finite : null, finite: this.finite, infinite: this.infinite };
  }
}

interface ScalingGroup {
  model: string;
  K: number;
  n: number;
  r: Moments;
  taskMass: Moments;
  above: Moments;
  other: Moments;
}

interface CalibrationGroup {
  model: string;
  point: number;
  n: number;
  shares: Moments[];
  probabilities: Moments[];
  kl: KlSum;
  klNormalized: KlSum;
}

/** A changed aggregate row, keyed as the webview merges it. */
export type AggregateRow = { kind: 'scaling'; row: ScalingAggregate } | { kind: 'calibration'; row: CalibrationAggregate };

/** The key a row is known by: model and K (scaling) or model and mixture point (calibration). */
export function rowKey(row: ScalingAggregate | CalibrationAggregate): string {
  return 'K' in row ? `${row.model}\u0000K${row.K}` : `${row.model}\u0000q${row.point}`;
}

/**
 * The experiment's aggregate rows, updated one finished prompt at a time in constant time (the
 * final record recomputes them with `aggregateScaling`/`aggregateCalibration`; both agree up to
 * rounding). Only complete units count, as in the batch aggregates.
 */
export class LiveAggregates {
  private readonly scaling = new Map<string, ScalingGroup>();
  private readonly calibration = new Map<string, CalibrationGroup>();

  constructor(private readonly plan: ExperimentPlan) {}

  /** Adds one unit; returns the row it changed (undefined for a failed unit). */
  add(unit: UnitResult): AggregateRow | undefined {
    if (unit.status !== 'complete') return undefined;
    return this.plan.kind === 'scaling' ? { kind: 'scaling', row: this.addScaling(unit, this.plan.threshold) } : { kind: 'calibration', row: this.addCalibration(unit, this.plan.tasks, this.plan.proportions) };
  }

  private addScaling(unit: UnitResult, threshold: number): ScalingAggregate {
    const key = `${unit.model}\u0000K${unit.K}`;
    let g = this.scaling.get(key);
    if (!g) this.scaling.set(key, (g = { model: unit.model, K: unit.K, n: 0, r: new Moments(), taskMass: new Moments(), above: new Moments(), other: new Moments() }));
    g.n++;
    if (unit.r !== null) g.r.add(unit.r);
    g.taskMass.add(unit.taskMass);
    g.above.add(unit.tasks.filter((t) => t.probability >= threshold).length);
    g.other.add(unit.other);
    return { model: g.model, K: g.K, n: g.n, r: g.r.n > 0 ? g.r.interval() : null, taskMass: g.taskMass.value, aboveThreshold: g.above.value, other: g.other.value };
  }

  private addCalibration(unit: UnitResult, tasks: readonly string[], proportions: readonly number[][]): CalibrationAggregate {
    const point = unit.point ?? 0;
    const key = `${unit.model}\u0000q${point}`;
    let g = this.calibration.get(key);
    if (!g) {
      const moments = () => tasks.map(() => new Moments());
      this.calibration.set(key, (g = { model: unit.model, point, n: 0, shares: moments(), probabilities: moments(), kl: new KlSum(), klNormalized: new KlSum() }));
    }
    g.n++;
    tasks.forEach((id, i) => {
      const task = unit.tasks.find((t) => t.id === id);
      g.shares[i]!.add(task?.share ?? 0);
      g.probabilities[i]!.add(task?.probability ?? 0);
    });
    g.kl.add(unit.kl);
    g.klNormalized.add(unit.klNormalized);
    const raw = proportions[point] ?? [];
    const sum = raw.reduce((a, b) => a + b, 0);
    return {
      model: g.model,
      point,
      proportions: raw.map((x) => (sum > 0 ? x / sum : 0)),
      shares: g.shares.map((m) => m.value),
      n: g.n,
      tasks: tasks.map((id, i) => ({ id, probability: g.probabilities[i]!.interval() })),
      kl: g.kl.summary(),
      klNormalized: g.klNormalized.summary(),
    };
  }
}
