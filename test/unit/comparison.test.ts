// Before / After: order by time, what changed in words, Δ = after − before in the exports.
import assert from 'node:assert/strict';
import test from 'node:test';
import { comparisonDifferences, comparisonRows, formatComparisonCsv, formatComparisonJson, orderBeforeAfter } from '../../src/core/comparison';
import { parseFromWebview } from '../../src/shared/protocol';
import { sampleRecord } from './fixtures';

const older = sampleRecord('old', '2026-11-26T10:00:00.000Z');
const newer = sampleRecord('new', '2026-11-26T10:03:00.000Z', {
  input: { ...older.input, prompt: '1+2->3\n3+4->', examples: older.input.examples.slice(0, 1) },
  tasks: [{ ...older.tasks[0]!, probability: 0.8, lower: 0.8, upper: 0.8, share: 1 }, { ...older.tasks[1]!, probability: 0.1, lower: 0.1, upper: 0.1, share: 0 }],
  other: { probability: 0.1, lower: 0.1, upper: 0.1 },
});

test('Before is the older run, whichever order the runs are picked in', () => {
  assert.equal(orderBeforeAfter(newer, older).before.id, 'old');
  assert.equal(orderBeforeAfter(older, newer).before.id, 'old');
  assert.equal(orderBeforeAfter(newer, older).after.id, 'new');
});

test('what changed: examples, model, time — in words', () => {
  const pair = orderBeforeAfter(newer, older);
  assert.deepEqual(comparisonDifferences(pair), ['examples 2 → 1', '3 min later']);
  const other = sampleRecord('m', '2026-11-27T10:00:00.000Z', { model: 'gemma3:1b' });
  assert.deepEqual(comparisonDifferences(orderBeforeAfter(older, other)), ['model double-superposed:latest → gemma3:1b', '24 h later']);
});

test('rows and exports carry Δ = after − before and each side\'s share', () => {
  const pair = orderBeforeAfter(newer, older);
  const digits = comparisonRows(pair).find((r) => r.id === 'sum.digits')!;
  assert.equal(digits.before, 0.6);
  assert.equal(digits.after, 0.8);
  assert.deepEqual([digits.beforeShare, digits.afterShare], [0.5, 1]);
  const csv = formatComparisonCsv(pair).split('\n');
  assert.equal(csv[0], '# before,old,double-superposed:latest,2026-11-26T10:00:00.000Z');
  assert.match(csv[2] ?? '', /^task,label,answer_before,answer_after,share_before,share_after,probability_before,probability_after,delta_after_minus_before$/);
  const row = csv.find((l) => l.startsWith('sum.digits,'))!.split(',');
  assert.ok(Math.abs(Number(row[8]) - 0.2) < 1e-12, row.join(','));
  const json = JSON.parse(formatComparisonJson(pair)) as { before: { id: string }; rows: Array<{ id: string; delta: number }> };
  assert.equal(json.before.id, 'old');
  assert.ok(Math.abs(json.rows.find((r) => r.id === 'other')!.delta - 0) < 1e-12);
});

test('the panel\'s comparison messages are validated on receipt', () => {
  assert.deepEqual(parseFromWebview({ type: 'promptDiff', beforeId: 'a', afterId: 'b' }), { type: 'promptDiff', beforeId: 'a', afterId: 'b' });
  assert.equal(parseFromWebview({ type: 'promptDiff', beforeId: 'a' }), undefined);
  assert.equal(parseFromWebview({ type: 'exportComparison', beforeId: 'a', afterId: 'b', format: 'png', dataUrl: 'javascript:x' }), undefined);
  assert.ok(parseFromWebview({ type: 'exportComparison', beforeId: 'a', afterId: 'b', format: 'csv' }));
});

test('export names say what and when; the run CSV carries run id, date, source and metrics', async () => {
  const { exportFileName, formatRecordCsv } = await import('../../src/core/exportFormats');
  const record = sampleRecord('r1', '2026-11-26T10:03:07.000Z', { input: { ...older.input, source: 'examples/country.txt' } });
  assert.match(exportFileName(record, 'csv'), /^country-20261126-\d{6}\.csv$/);
  assert.match(exportFileName({ ...record, input: {} }, 'json'), /^double-superposed-latest-20261126-\d{6}\.json$/);
  assert.equal(exportFileName({ createdAt: 'x', model: 'm', input: { source: 'a/b/rhymes.superposition.json' } }, 'png'), 'rhymes-undated.png');
  const [header, first] = formatRecordCsv(record).split('\n');
  const cols = header!.split(',');
  const row = first!.split(',');
  for (const [col, want] of [['run_id', 'r1'], ['created_at', '2026-11-26T10:03:07.000Z'], ['source', 'examples/country.txt'], ['kl', '0.1'], ['r', '2'], ['task_mass', '0.9']] as const) {
    assert.equal(row[cols.indexOf(col)], want, col);
  }
});
