// The inline result after the query line.
import assert from 'node:assert/strict';
import test from 'node:test';
import { inlineResult } from '../../src/core/quick/inlineResult';
import type { RunRecord, TaskResult } from '../../src/core/record';
import { sampleRecord } from './fixtures';

const PROMPT = '62+75->137\n80+60->cent quarante\n88+52->';

function result(id: string, answer: string, probability: number): TaskResult {
  return { id, label: id, answer, share: 0.25, examples: 1, probability, lower: probability, upper: probability, exact: true };
}

function record(tasks: TaskResult[], overrides: Partial<RunRecord> = {}): RunRecord {
  return sampleRecord('r', undefined, { input: { ...sampleRecord('x').input, prompt: PROMPT }, tasks, ...overrides });
}

const addTranslate = [result('sum.es', 'ciento cuarenta', 0.09), result('sum.en', 'one hundred and forty', 0.2), result('sum.digits', '140', 0.42), result('sum.fr', 'cent quarante', 0.12)];

test('the three leading answers by probability', () => {
  assert.deepEqual(inlineResult(record(addTranslate), PROMPT), { text: '→ 140 42% · one hundred and forty 20% · cent quarante 12%', stale: false });
  assert.deepEqual(inlineResult(record(addTranslate.slice(0, 2)), PROMPT), { text: '→ one hundred and forty 20% · ciento cuarenta 9%', stale: false });
  assert.equal(inlineResult(record(addTranslate), PROMPT, { maxAnswers: 1 })?.text, '→ 140 42%');
});

test('long answers are shortened with …', () => {
  const long = [result('a.x', 'one hundred and ninety-nine thousand', 0.5), result('a.y', 'exactly twenty-four chars', 0.1)];
  assert.equal(inlineResult(record(long), PROMPT)?.text, '→ one hundred and ninety-… 50% · exactly twenty-four cha… 10%');
  assert.equal('exactly twenty-four char'.length, 24);
  assert.equal(inlineResult(record([result('a.z', 'exactly twenty-four char', 0.3)]), PROMPT)?.text, '→ exactly twenty-four char 30%', '24 characters fit');
});

test('a changed prompt makes the result stale', () => {
  assert.deepEqual(inlineResult(record(addTranslate), `${PROMPT}9`), { text: '→ 140 42% · one hundred and forty 20% · cent quarante 12% (stale)', stale: true });
});

test('a partial run says so; tasks sharing an answer count once; no tasks, no text', () => {
  assert.equal(inlineResult(record(addTranslate, { status: 'cancelled' }), `${PROMPT}x`)?.text, '→ 140 42% · one hundred and forty 20% · cent quarante 12% (partial) (stale)');
  const shared = [result('ab.copy1', '12', 0.3), result('sum.digits', '24', 0.2), result('ab.copy2', '12', 0.3)];
  assert.equal(inlineResult(record(shared), PROMPT)?.text, '→ 12 30% · 24 20%');
  assert.equal(inlineResult(record([]), PROMPT), undefined);
});
