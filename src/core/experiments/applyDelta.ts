import { rowKey } from './liveAggregates';
import type { ExperimentDelta } from './progress';
import type { CalibrationAggregate, ExperimentRecord, ScalingAggregate } from './record';

function mergeRows<T extends ScalingAggregate | CalibrationAggregate>(rows: T[], changed: readonly T[], models: readonly string[], order: (row: T) => number): T[] {
  if (changed.length === 0) return rows;
  const index = new Map(rows.map((row, i) => [rowKey(row), i]));
  let added = false;
  for (const row of changed) {
    const at = index.get(rowKey(row));
    if (at === undefined) {
      index.set(rowKey(row), rows.length);
      rows.push(row);
      added = true;
    } else rows[at] = row;
  }
  const rank = (m: string) => models.indexOf(m);
  if (added) rows.sort((a, b) => rank(a.model) - rank(b.model) || order(a) - order(b));
  return rows;
}

/**
 * Applies a progress delta to the record of a running experiment, in place: O(delta + rows), so
 * the webview's cost per post does not grow with the prompts already shown.
 */
export function applyExperimentDelta(record: ExperimentRecord, delta: ExperimentDelta): ExperimentRecord {
  for (const unit of delta.units) record.units.push(unit);
  const models = record.plan.models;
  if (delta.scaling.length > 0) record.aggregates.scaling = mergeRows(record.aggregates.scaling ?? [], delta.scaling, models, (r) => r.K);
  if (delta.calibration.length > 0) record.aggregates.calibration = mergeRows(record.aggregates.calibration ?? [], delta.calibration, models, (r) => r.point);
  record.requests = delta.requests;
  record.durationMs = delta.durationMs;
  return record;
}
