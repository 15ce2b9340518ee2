// The CodeLens text above a prompt, before and after a run.
import assert from 'node:assert/strict';
import test from 'node:test';
import { isStale, lensAfterRun, lensBeforeRun, modelText, percentText, relativeTime, shortTaskLabels, shorten } from '../../src/core/quick/lensText';
import type { RunRecord, TaskResult } from '../../src/core/record';
import type { DetectedTask } from '../../src/core/tasks/detect';
import { sampleRecord } from './fixtures';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');

function task(id: string, probability: number, lower = probability, upper = probability, exact = lower === upper): TaskResult {
  return { id, label: id, answer: id, share: 0.25, examples: 1, probability, lower, upper, exact };
}

/** The lead's example: four add-translate tasks, other 17%, two minutes old. */
function addTranslateRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  return sampleRecord('r', new Date(NOW - 120_000).toISOString(), {
    model: 'gemma3:270m',
    simulated: false,
    tasks: [task('sum.en', 0.2), task('sum.digits', 0.42), task('sum.es', 0.09), task('sum.fr', 0.12)],
    other: { probability: 0.17, lower: 0.17, upper: 0.17 },
    ...overrides,
  });
}

function detected(id: string, share: number): DetectedTask {
  return { id, label: id, custom: false, count: share * 4, share, answer: 'x' };
}

test('before a run: the tasks and their shares, largest first, at most four then +N', () => {
  const four = ['sum.digits', 'sum.en', 'sum.fr', 'sum.es'].map((id) => detected(id, 0.25));
  assert.equal(lensBeforeRun({ tasks: four }), '▷ Analyze · 4 tasks · sum.digits 25% · sum.en 25% · sum.fr 25% · sum.es 25%');
  const six = [detected('sum.digits', 0.1), detected('sum.en', 0.3), detected('sum.fr', 0.2), detected('sum.es', 0.2), detected('sum.de', 0.1), detected('sum.it', 0.1)];
  assert.equal(lensBeforeRun({ tasks: six }), '▷ Analyze · 6 tasks · sum.en 30% · sum.fr 20% · sum.es 20% · sum.digits 10% · +2');
  assert.equal(lensBeforeRun({ tasks: [detected('word.first_upper', 1)] }), '▷ Analyze · 1 task · word.first_upper 100%');
  assert.equal(lensBeforeRun({ tasks: [] }), '▷ Analyze · no task detected');
});

test('after a run: short labels, probabilities largest first, other, model without :latest, time', () => {
  assert.equal(lensAfterRun(addTranslateRecord(), { now: NOW }), 'last: digits 42% · en 20% · fr 12% · es 9% · other 17% — gemma3:270m · 2 min ago');
  assert.equal(lensAfterRun(addTranslateRecord({ model: 'gemma3:latest' }), { now: NOW }), 'last: digits 42% · en 20% · fr 12% · es 9% · other 17% — gemma3 · 2 min ago');
  assert.match(lensAfterRun(addTranslateRecord({ simulated: true }), { now: NOW }), /— gemma3:270m \(simulated\) · 2 min ago$/);
});

test('more than four tasks: +N tasks with their total', () => {
  const tasks = [task('a.one', 0.3), task('a.two', 0.2), task('a.three', 0.15), task('a.four', 0.1), task('a.five', 0.05), task('a.six', 0.04)];
  assert.equal(lensAfterRun(addTranslateRecord({ tasks }), { now: NOW }), 'last: one 30% · two 20% · three 15% · four 10% · +2 tasks 9% · other 17% — gemma3:270m · 2 min ago');
  assert.match(lensAfterRun(addTranslateRecord({ tasks: tasks.slice(0, 5) }), { now: NOW }), / · \+1 task 5% · /);
});

test('stale and partial runs say so', () => {
  const record = addTranslateRecord();
  assert.equal(lensAfterRun(record, { now: NOW, prompt: record.input.prompt }), 'last: digits 42% · en 20% · fr 12% · es 9% · other 17% — gemma3:270m · 2 min ago', 'same prompt: not stale');
  assert.equal(lensAfterRun(record, { now: NOW, prompt: `${record.input.prompt}x` }), 'last (prompt changed since): digits 42% · en 20% · fr 12% · es 9% · other 17% — gemma3:270m · 2 min ago');
  assert.match(lensAfterRun(addTranslateRecord({ status: 'cancelled' }), { now: NOW, prompt: 'other' }), /^last \(cancelled, prompt changed since\): digits 42%/);
  assert.equal(isStale(record, undefined), false);
  assert.equal(isStale(record, record.input.prompt), false);
  assert.equal(isStale(record, 'x'), true);
});

test('intervals show when visible at whole percents and the lens stays short', () => {
  const two = [task('sum.digits', 0.4, 0.4, 0.45, false), task('sum.en', 0.2, 0.2, 0.202, false)];
  assert.equal(lensAfterRun(addTranslateRecord({ tasks: two }), { now: NOW }), 'last: digits 40% (40–45%) · en 20% · other 17% — gemma3:270m · 2 min ago', 'en rounds to one value');
  const four = addTranslateRecord().tasks.map((t) => ({ ...t, lower: t.probability, upper: t.probability + 0.03, exact: false }));
  const long = lensAfterRun(addTranslateRecord({ tasks: four }), { now: NOW });
  assert.equal(long, 'last: digits 42% · en 20% · fr 12% · es 9% · other 17% — gemma3:270m · 2 min ago', 'too long with four intervals: none');
  assert.ok(lensAfterRun(addTranslateRecord({ tasks: four }), { now: NOW, maxChars: 200 }).includes('digits 42% (42–45%) · en 20% (20–23%)'));
});

test('short labels fall back to the id where two tasks would collide', () => {
  assert.deepEqual([...shortTaskLabels(['sum.digits', 'sum.en', 'ab.copy1'])], [['sum.digits', 'digits'], ['sum.en', 'en'], ['ab.copy1', 'copy1']]);
  assert.deepEqual([...shortTaskLabels(['x.name', 'y.name', 'x.other'])], [['x.name', 'x.name'], ['y.name', 'y.name'], ['x.other', 'other']]);
  assert.deepEqual([...shortTaskLabels(['digits', 'sum.digits'])], [['digits', 'digits'], ['sum.digits', 'sum.digits']], 'a custom id equal to a short label');
  assert.deepEqual([...shortTaskLabels(['x.q', 'y.q', 'z.x.q'])], [['x.q', 'x.q'], ['y.q', 'y.q'], ['z.x.q', 'z.x.q']], 'a short label equal to a fallback id');
  assert.deepEqual([...shortTaskLabels(['rhyme', 'word.first_upper'])], [['rhyme', 'rhyme'], ['word.first_upper', 'first_upper']]);
  assert.equal(shortTaskLabels(['custom.a_very_long_custom_task_name']).get('custom.a_very_long_custom_task_name'), 'a_very_long_custom_…');
});

test('relative time', () => {
  const ago = (ms: number) => relativeTime(new Date(NOW - ms).toISOString(), NOW);
  assert.equal(ago(0), 'just now');
  assert.equal(ago(-5000), 'just now', 'a clock slightly ahead');
  assert.equal(ago(9_999), 'just now');
  assert.equal(ago(10_000), '10 s ago');
  assert.equal(ago(59_900), '59 s ago');
  assert.equal(ago(60_000), '1 min ago');
  assert.equal(ago(3_599_000), '59 min ago');
  assert.equal(ago(3_600_000), '1 h ago');
  assert.equal(ago(23.9 * 3_600_000), '23 h ago');
  assert.equal(ago(24 * 3_600_000), 'yesterday');
  assert.equal(ago(47.9 * 3_600_000), 'yesterday');
  const old = new Date(2026, 10, 20, 12, 0, 0);
  assert.equal(relativeTime(old, new Date(2026, 10, 25, 12, 0, 0)), '2026-11-20', 'older: the local date');
  assert.equal(relativeTime('not a date', NOW), 'some time ago');
});

test('percent, shorten and model helpers', () => {
  assert.deepEqual([0, 0.001, 0.004, 0.005, 0.42, 0.994, 0.996, 1, 1.2, -0.1].map(percentText), ['0%', '<1%', '<1%', '1%', '42%', '99%', '>99%', '100%', '100%', '0%']);
  assert.equal(percentText(Number.NaN), '–');
  assert.equal(shorten('one hundred and forty', 24), 'one hundred and forty');
  assert.equal(shorten('ciento cuarenta y ocho mil', 10), 'ciento cu…');
  assert.equal(shorten('a\tb', 10), 'a b');
  assert.equal(modelText('gemma3:latest'), 'gemma3');
  assert.equal(modelText('latest:7b'), 'latest:7b');
});
