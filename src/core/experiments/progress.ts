import { LiveAggregates, rowKey } from './liveAggregates';
import type { MeasurementUnit } from './plan';
import type { ExperimentPlan } from './planSchema';
import type { CalibrationAggregate, ScalingAggregate, UnitResult } from './record';

/** What changed since the last post: the new units and the aggregate rows they changed. */
export interface ExperimentDelta {
  runId: string;
  units: UnitResult[];
  scaling: ScalingAggregate[];
  calibration: CalibrationAggregate[];
  /** Complete units, reused ones included. */
  done: number;
  total: number;
  requests: number;
  durationMs: number;
  /** Seconds left, from this run's own throughput; absent until a prompt has been measured. */
  etaSeconds?: number;
}

/**
 * Time left from the run's own timings: requests still to send (per K, from the prompts measured
 * so far, scaled by K for a K not yet seen) over the requests per second reached so far — which
 * already includes the hosts and the units in flight at once.
 */
export class EtaEstimator {
  private readonly byK = new Map<number, { requests: number; n: number }>();
  private requests = 0;
  private tasks = 0;
  private readonly remaining = new Map<number, number>();

  constructor(
    todo: readonly Pick<MeasurementUnit, 'meta'>[],
    private readonly startedAt: number,
  ) {
    for (const u of todo) this.remaining.set(u.meta.K, (this.remaining.get(u.meta.K) ?? 0) + 1);
  }

  /** One unit of `todo` finished with `requests` requests. */
  observe(K: number, requests: number): void {
    const seen = this.byK.get(K) ?? { requests: 0, n: 0 };
    seen.requests += requests;
    seen.n++;
    this.byK.set(K, seen);
    this.requests += requests;
    this.tasks += K;
    const left = (this.remaining.get(K) ?? 0) - 1;
    if (left > 0) this.remaining.set(K, left);
    else this.remaining.delete(K);
  }

  /** Requests expected for the units not finished yet. */
  requestsLeft(): number {
    let total = 0;
    for (const [K, count] of this.remaining) {
      const seen = this.byK.get(K);
      const perUnit = seen ? seen.requests / seen.n : this.tasks > 0 ? (this.requests / this.tasks) * K : 0;
      total += perUnit * count;
    }
    return total;
  }

  seconds(now: number): number | undefined {
    const elapsed = (now - this.startedAt) / 1000;
    if (this.requests === 0 || elapsed <= 0) return undefined;
    return this.requestsLeft() / (this.requests / elapsed);
  }
}

/**
 * The extension host's state of a running experiment. A finished prompt costs O(1): its row is
 * updated in place and it waits in a small buffer until the next post, which carries only the
 * new units and changed rows — never the whole record.
 */
export class ExperimentProgress {
  private readonly results = new Map<string, UnitResult>();
  private readonly live: LiveAggregates;
  private readonly eta: EtaEstimator;
  private readonly fresh: UnitResult[] = [];
  private readonly changed = new Map<string, ScalingAggregate | CalibrationAggregate>();
  private done = 0;
  private requests = 0;

  constructor(
    readonly runId: string,
    plan: ExperimentPlan,
    private readonly units: readonly MeasurementUnit[],
    previous: ReadonlyMap<string, UnitResult>,
    private readonly startedAt: number,
    /** Time already spent on this record (a resumed run's). */
    private readonly baseDurationMs = 0,
  ) {
    this.live = new LiveAggregates(plan);
    for (const u of units) {
      const prev = previous.get(u.key);
      if (!prev) continue;
      this.results.set(u.key, prev);
      this.live.add(prev);
      this.requests += prev.requests;
      if (prev.status === 'complete') this.done++;
    }
    this.eta = new EtaEstimator(units.filter((u) => !this.results.has(u.key)), startedAt);
  }

  /** A prompt finished in this run (complete or failed). */
  add(result: UnitResult): void {
    this.results.set(result.key, result);
    this.fresh.push(result);
    this.requests += result.requests;
    if (result.status === 'complete') this.done++;
    this.eta.observe(result.K, result.requests);
    const row = this.live.add(result);
    if (row) this.changed.set(rowKey(row.row), row.row);
  }

  get pending(): boolean {
    return this.fresh.length > 0;
  }

  get doneCount(): number {
    return this.done;
  }

  get requestCount(): number {
    return this.requests;
  }

  etaSeconds(now: number): number | undefined {
    return this.eta.seconds(now);
  }

  /** The units and rows changed since the last call (then forgotten). */
  takeDelta(now: number): ExperimentDelta {
    const rows = [...this.changed.values()];
    this.changed.clear();
    const eta = this.eta.seconds(now);
    return {
      runId: this.runId,
      units: this.fresh.splice(0),
      scaling: rows.filter((r): r is ScalingAggregate => 'K' in r),
      calibration: rows.filter((r): r is CalibrationAggregate => 'point' in r),
      done: this.done,
      total: this.units.length,
      requests: this.requests,
      durationMs: this.baseDurationMs + now - this.startedAt,
      ...(eta !== undefined ? { etaSeconds: eta } : {}),
    };
  }

  /** Every finished unit in plan order (for checkpoints: O(units), so only every few seconds). */
  finished(): UnitResult[] {
    return this.units.map((u) => this.results.get(u.key)).filter((r): r is UnitResult => r !== undefined);
  }
}
