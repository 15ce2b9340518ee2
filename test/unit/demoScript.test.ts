// The simulated demo answers any prompt: shipped examples, edited ones, structured files with
// custom tables, every experiment unit — each gets a distribution over its detected tasks' answers.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { analyzeMix } from '../../src/core/analyze';
import { isExperimentFileText } from '../../src/core/experiments/fileKind';
import { expandPlan } from '../../src/core/experiments/plan';
import { parseExperimentFile } from '../../src/core/experiments/planFile';
import { parseMix } from '../../src/core/mix/parse';
import { OllamaClient } from '../../src/core/ollama/client';
import { loadCustomTables } from '../../src/core/tasks/customTable';
import { detectTasks } from '../../src/core/tasks/detect';
import { demoAnswers, demoModels, promptWithin } from '../../scripts/demoScript';
import { startOllamaDouble, type OllamaDouble } from '../double/index';

const repoRoot = join(__dirname, '..', '..');
const examples = join(repoRoot, 'examples');
const SUPERPOSED = 'double-superposed:latest';
const COLLAPSED = 'double-collapsed:latest';
let double: OllamaDouble;
let client: OllamaClient;

before(async () => {
  double = await startOllamaDouble({ models: demoModels(repoRoot, examples), parallel: 4 });
  client = new OllamaClient({ host: double.url, requestTimeoutMs: 10_000 });
});
after(() => double.close());

async function mixOf(name: string, text: string) {
  const { mix } = parseMix(text, name);
  assert.ok(mix, name);
  const { tables } = await loadCustomTables(mix.customTasks ?? [], { trusted: true, read: async (p) => readFileSync(join(examples, p), 'utf8') });
  return { mix, detection: detectTasks(mix, { tables }) };
}

async function analyse(model: string, mix: Awaited<ReturnType<typeof mixOf>>) {
  const record = await analyzeMix(client, mix.mix, mix.detection, { model, method: 'logprobs' });
  assert.equal(record.status, 'complete', record.error?.message);
  return record;
}

function assertSpread(label: string, record: Awaited<ReturnType<typeof analyse>>): void {
  const mass = record.tasks.reduce((a, t) => a + t.lower, 0);
  assert.ok(record.tasks.length > 0, `${label}: no tasks`);
  assert.ok(mass > 0.5, `${label}: task mass ${mass.toFixed(3)} (other ${record.other.probability.toFixed(3)})`);
  for (const t of record.tasks) assert.ok(t.lower > 0.01, `${label}: ${t.id} gets ${t.lower}`);
}

test('demo: every shipped prompt and an edited one get mass on each detected task (not "other 100%")', async () => {
  const files = readdirSync(examples).filter((f) => /\.(txt|superposition\.json)$/.test(f)).sort();
  let checked = 0;
  for (const file of files) {
    const text = readFileSync(join(examples, file), 'utf8');
    if (isExperimentFileText(text)) continue;
    assertSpread(file, await analyse(SUPERPOSED, await mixOf(file, text)));
    checked++;
  }
  assert.ok(checked >= 5, `${checked} example files`);
  // An edit: the first two examples gone and another query.
  const country = readFileSync(join(examples, 'country.txt'), 'utf8').trim().split('\n');
  const edited = [...country.slice(2, -1), 'Peru->'].join('\n');
  const record = await analyse(SUPERPOSED, await mixOf('edited.txt', edited));
  assertSpread('edited country.txt', record);
  assert.ok(record.tasks.some((t) => t.answer === 'Lima'), record.tasks.map((t) => t.answer).join(', '));
  // The structured file with a custom table, with its query changed.
  const rhymes = JSON.parse(readFileSync(join(examples, 'rhymes.superposition.json'), 'utf8')) as { query: string };
  rhymes.query = 'cake';
  const rhymed = await analyse(SUPERPOSED, await mixOf('rhymes.superposition.json', JSON.stringify(rhymes)));
  assertSpread('rhymes, query "cake"', rhymed);
  assert.deepEqual(rhymed.tasks.map((t) => t.answer).sort(), ['C', 'lake']);
});

test('demo: every unit of the shipped experiment files gets mass on its tasks, on both demo models', async () => {
  for (const file of readdirSync(examples).filter((f) => f.endsWith('.superposition.json'))) {
    const text = readFileSync(join(examples, file), 'utf8');
    if (!isExperimentFileText(text)) continue;
    const { plan, diagnostics } = parseExperimentFile(text, { defaultModels: [SUPERPOSED, COLLAPSED] });
    assert.ok(plan, `${file}: ${JSON.stringify(diagnostics)}`);
    const units = expandPlan({ ...plan, models: [SUPERPOSED, COLLAPSED] });
    for (const unit of units.slice(0, 8)) {
      const record = await analyse(unit.model, unit);
      const mass = record.tasks.reduce((a, t) => a + t.lower, 0);
      assert.ok(mass > 0.5, `${file} ${unit.key}: task mass ${mass}`);
    }
  }
});

test('demo: the collapsed model gives most of the mass to the task with the most examples', async () => {
  const text = ['1+2->3', '2+2->4', '3+4->7', '1+1->two', '5+5->10', '4+3->7', '6+2->eight', '3+3->6', '7+1->'].join('\n');
  const mix = await mixOf('sums.txt', text);
  const record = await analyse(COLLAPSED, mix);
  const digits = record.tasks.find((t) => t.id === 'sum.digits');
  assert.ok(digits && digits.lower > 0.6, `sum.digits ${digits?.lower}`);
  const superposed = await analyse(SUPERPOSED, mix);
  assert.ok(superposed.tasks.every((t) => t.lower > 0.05), superposed.tasks.map((t) => `${t.id} ${t.lower}`).join(', '));
});

test('demo: a prompt with no detected task keeps the fallback (no invented answers)', async () => {
  const reply = await client.generate({ model: SUPERPOSED, prompt: 'apple->pomme\nbread->pain\ncheese->', options: { num_predict: 1, temperature: 0 }, logprobs: true, topLogprobs: 3 });
  assert.deepEqual(reply.logprobs[0]?.top_logprobs?.map((t) => t.token).slice(0, 2), ['\n', '<eos>']);
});

test('promptWithin finds the few-shot prompt inside a scoring request; demoAnswers sums to under 1', () => {
  const prompt = '4+5->9\n1+1->two\n2+3->';
  assert.equal(promptWithin(prompt), prompt);
  assert.equal(promptWithin(`${prompt}fi`), prompt);
  assert.equal(promptWithin('no examples'), undefined);
  const answers = demoAnswers(prompt, [{ id: 'a', share: 0.5, answer: '5' }, { id: 'b', share: 0.5, answer: 'five' }, { id: 'c', share: 0.1, answer: '5' }], 'superposed');
  assert.equal(answers.length, 2, 'identical answers merged');
  const sum = answers.reduce((a, x) => a + x.prob, 0);
  assert.ok(sum > 0.75 && sum < 0.95, `${sum}`);
});
