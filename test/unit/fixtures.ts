// Shared test fixtures (not a test file: the runner only picks up *.test.ts).
import assert from 'node:assert/strict';
import { RUN_SCHEMA_VERSION, RunRecordSchema, type RunRecord } from '../../src/core/record';

/** A valid run record with two tasks; override any field. */
export function sampleRecord(id: string, createdAt = '2026-11-26T10:00:00.000Z', overrides: Partial<RunRecord> = {}): RunRecord {
  const record: RunRecord = {
    schemaVersion: RUN_SCHEMA_VERSION,
    kind: 'analysis',
    id,
    createdAt,
    status: 'complete',
    model: 'double-superposed:latest',
    modelDigest: 'a'.repeat(64),
    simulated: true,
    server: { host: 'http://127.0.0.1:11434', version: '0.13.0', logprobs: true },
    method: 'logprobs',
    options: { requestedMethod: 'auto', terminated: false, samples: 200, topK: 2, seed: 1000, concurrency: 1, minNodeMass: 0, requestTimeoutMs: 300000, beamWidth: 8, maxDepth: 16, minCompletionProbability: 1e-4 },
    input: { prompt: '1+2->3\n2+2->four\n3+4->', separator: '->', query: '3+4', examples: [{ input: '1+2', output: '3', line: 1, tasks: ['sum.digits'] }, { input: '2+2', output: 'four', line: 2, tasks: ['sum.en'] }] },
    tasks: [
      { id: 'sum.digits', label: 'A+B', answer: '7', share: 0.5, examples: 1, probability: 0.6, lower: 0.6, upper: 0.6, exact: true },
      { id: 'sum.en', label: 'A+B in English', answer: 'seven', share: 0.5, examples: 1, probability: 0.3, lower: 0.29, upper: 0.31, exact: false },
    ],
    other: { probability: 0.1, lower: 0.09, upper: 0.11 },
    metrics: { kl: 0.1, klNormalized: 0.05, r: 2, K: 2, entropy: 0.9, taskMass: 0.9 },
    completions: [{ text: '7', probability: 0.55, tasks: ['sum.digits'] }],
    warnings: [],
    requests: 5,
    durationMs: 120,
    ...overrides,
  };
  assert.ok(RunRecordSchema.safeParse(record).success);
  return record;
}
