// Deterministic history records for the crash test: the record of an id depends on the id only, so
// the test process knows what a killed writer process saved without talking to it.
import { validateCalibrationPlan, validateScalingPlan, deriveSeed } from '../../src/core/experiments/plan';
import { buildExperimentRecord, type UnitResult } from '../../src/core/experiments/record';
import type { ExperimentRun } from '../../src/core/experiments/runner';
import type { StoredRecord } from '../../src/core/history';
import { seededRng } from '../../src/core/random';
import { sampleRecord } from '../unit/fixtures';

const MODELS = ['double-a:latest', 'double-b:latest'];

function createdAt(rng: () => number): string {
  return new Date(Date.UTC(2026, 0, 1) + Math.floor(rng() * 3e10)).toISOString();
}

/**
 * The record saved under `id`: an analysis or (one in four) an experiment, of a size between a few
 * hundred bytes and ~150 kB so that a kill lands in a write of any length.
 */
export function crashRecord(id: string): StoredRecord {
  const rng = seededRng(deriveSeed('history-crash', id));
  const size = Math.floor(rng() ** 3 * 1500);
  if (rng() < 0.25) {
    const scaling = rng() < 0.5;
    const checked = scaling
      ? validateScalingPlan({ pool: ['sum.digits', 'sum.en', 'sum.fr'], kMax: 3, models: MODELS, seed: Math.floor(rng() * 1000) })
      : validateCalibrationPlan({ tasks: ['sum.digits', 'sum.en'], models: MODELS, seed: Math.floor(rng() * 1000) });
    if (!checked.ok) throw new Error(checked.errors.join(' '));
    const units: UnitResult[] = Array.from({ length: 1 + Math.floor(size / 8) }, (_, i) => {
      const K = 1 + (i % 3);
      const p = rng();
      return {
        key: `${checked.plan.kind}|${MODELS[i % 2]}|K=${K}|p=${i}`,
        model: MODELS[i % 2]!,
        status: 'complete',
        K,
        prompt: i,
        ...(scaling ? {} : { point: i % 11 }),
        tasks: [{ id: 'sum.digits', answer: String(i), share: 1 / K, probability: p, lower: p, upper: p }],
        r: rng() * K,
        other: 1 - p,
        taskMass: p,
        kl: scaling ? null : rng(),
        klNormalized: scaling ? null : rng(),
        method: 'logprobs',
        requests: 3,
      };
    });
    const run: ExperimentRun = {
      status: rng() < 0.8 ? 'complete' : 'cancelled',
      results: units,
      measured: units.length,
      reused: 0,
      hosts: [{ host: 'http://127.0.0.1:11434', version: '0.13.0' }],
      models: MODELS.map((name) => ({ name })),
      requests: 3 * units.length,
      durationMs: 1000 + units.length,
    };
    return buildExperimentRecord(checked.plan, run, { unitCount: units.length + Math.floor(rng() * 10), id, createdAt: createdAt(rng) });
  }
  return sampleRecord(id, createdAt(rng), {
    status: rng() < 0.8 ? 'complete' : 'failed',
    completions: Array.from({ length: size }, (_, i) => ({ text: `${i} · ${id} · שלום · 🙂`, probability: rng(), tasks: i % 2 ? ['sum.en'] : ['sum.digits'] })),
    input: { source: `examples/${id}.txt`, prompt: '1+2->3\n2+2->four\n3+4->', separator: '->', query: '3+4', examples: [] },
    durationMs: size,
  });
}
