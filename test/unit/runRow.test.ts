// History rows lead with what tells runs apart; the model and time go to the description.
import assert from 'node:assert/strict';
import test from 'node:test';
import { runRowText, tasksSummary } from '../../src/extension/views/runRow';

const base = { kind: 'analysis' as const, model: 'gemma3-270m-lab:latest', tasks: ['sum.digits', 'sum.en', 'sum.fr'], headline: 'sum.digits 42.0%', createdAt: '2026-12-01T10:00:00Z', simulated: false };

test('an analysis row leads with its source file and headline; the model is in the description', () => {
  const row = runRowText({ ...base, source: 'examples/country.txt' }, '10:00:00');
  assert.deepEqual(row, { label: 'country.txt · sum.digits 42.0%', description: 'gemma3-270m-lab · 10:00:00' });
  assert.equal(runRowText(base, '10:00:00').label, '3 sum tasks · sum.digits 42.0%', 'no file: the task set');
  assert.equal(runRowText({ ...base, kind: 'scaling', model: 'a:latest, b:7b' }, 't').label, 'scaling · 3 sum tasks · sum.digits 42.0%');
  assert.equal(runRowText({ ...base, kind: 'scaling', model: 'a:latest, b:7b' }, 't').description, 'a, b:7b · t');
  assert.equal(runRowText({ ...base, simulated: true }, 't').description, 'gemma3-270m-lab · t · simulated');
});

test('runs of two prompts on one model do not look alike at the start of the row (what a narrow sidebar shows)', () => {
  const a = runRowText({ ...base, source: 'word.txt', headline: 'word.first_upper 61.0%' }, 't').label;
  const b = runRowText({ ...base, source: 'country.txt', headline: 'country.capital 30.2%' }, 't').label;
  assert.notEqual(a.slice(0, 12), b.slice(0, 12));
  assert.equal(tasksSummary(['a.x', 'b.y']), 'a.x, b.y');
  assert.equal(tasksSummary(['a.x', 'b.y', 'c.z']), '3 tasks');
});
