// The real CLI (`node --import tsx src/cli/main.ts scale … --out F`) as a child process against
// the Ollama TEST DOUBLE: killed with SIGKILL mid-sweep, its checkpoint keeps the units finished
// up to a few checkpoint intervals before the kill, and `--resume F` measures only the others;
// SIGTERM (like SIGINT) stops it cleanly with the partial record saved and the resume hint.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { scaleCommand } from '../../src/cli/experiments';
import { expandScaling, type ScalingPlanInput } from '../../src/core/experiments/plan';
import { parseExperimentRecord, type ExperimentRecord } from '../../src/core/experiments/record';
import { scriptFromAnswers, startOllamaDouble, type OllamaDouble } from '../double/index';

const root = join(__dirname, '..', '..');
// The children run in temporary folders: tsx is given by path, not resolved from their cwd.
const TSX = pathToFileURL(require.resolve('tsx')).href;
const MODEL = 'double-checkpoint:latest';
const PLAN: ScalingPlanInput = { pool: ['sum.digits', 'sum.en'], kMin: 1, kMax: 2, examplesPerTask: 2, promptsPerK: 20, seed: 5, models: [MODEL], method: 'logprobs' };
const ARGS = ['scale', '--pool', 'sum.digits,sum.en', '--k-min', '1', '--k-max', '2', '--per-task', '2', '--prompts', '20', '--seed', '5', '--model', MODEL, '--method', 'logprobs'];
const units = expandScaling(PLAN);
// ~11 requests per unit, one at a time: ~0.3 s per unit, ~12 s for the 40 units.
const LATENCY_MS = 25;
const INTERVAL_MS = 500;
// What was finished this long before the kill must be kept: a few intervals, as a loaded machine
// may delay a checkpoint a little (it took about 15 of 15 units in practice).
const KEPT_WITHIN_MS = 4 * INTERVAL_MS;

let double: OllamaDouble;
before(async () => {
  const script = units.map((u) => scriptFromAnswers(u.mix.prompt, u.detection.tasks.map((t, i) => ({ text: t.answer!, prob: 0.5 / (i + 1) }))));
  double = await startOllamaDouble({ models: [{ name: MODEL, script }], latencyMs: LATENCY_MS });
});
after(() => double.close());

/** The unit a generate request belongs to: the one whose prompt starts the request's (prompt + answer prefix). */
const byLength = units.map((u, index) => ({ prompt: u.mix.prompt, index })).sort((a, b) => b.prompt.length - a.prompt.length);
function unitOf(prompt: string): number {
  return byLength.find((u) => prompt.startsWith(u.prompt))?.index ?? -1;
}

function generatePrompts(): string[] {
  return double.requests.filter((r) => r.path === '/api/generate').map((r) => (r.body as { prompt: string }).prompt);
}

/** The latest unit the child has sent a request for (-1 before any): with one unit at a time, every unit before it is finished. */
function latestUnit(): number {
  const prompts = generatePrompts();
  return prompts.length === 0 ? -1 : unitOf(prompts.at(-1)!);
}

interface Child {
  process: ChildProcess;
  stderr: () => string;
  exited: () => boolean;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startCli(args: string[], cwd: string): Child {
  const child = spawn(process.execPath, ['--import', TSX, join(root, 'src', 'cli', 'main.ts'), ...args, '--host', double.url], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', SUPERPOSITION_CHECKPOINT_MS: String(INTERVAL_MS) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout!.resume();
  let exited = false;
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      exited = true;
      resolve({ code, signal });
    }),
  );
  return { process: child, stderr: () => stderr, exited: () => exited, exit };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, get: () => T | undefined, child: Child, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (child.exited()) throw new Error(`the CLI ended before ${what}; it said:\n${child.stderr()}`);
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; the CLI said:\n${child.stderr()}`);
    await sleep(10);
  }
}

function readRecord(path: string): ExperimentRecord | undefined {
  if (!existsSync(path)) return undefined;
  return parseExperimentRecord(readFileSync(path, 'utf8')).record;
}

test('units and prompts: distinct prompts, none the start of another (requests map to one unit)', () => {
  assert.equal(units.length, 40);
  for (const u of units) assert.equal(unitOf(u.mix.prompt), units.indexOf(u));
});

test('kill -9 mid-sweep loses at most the last few seconds; --resume re-measures none of the kept units', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-checkpoint-'));
  const out = join(dir, 'sweep.json');
  double.resetCounters();
  const child = startCli([...ARGS, '--out', 'sweep.json'], dir);

  // Checkpoints appear while the sweep runs (without them nothing is written before the end).
  await until('a checkpoint with 3 units', () => {
    const record = readRecord(out);
    return record?.status === 'cancelled' && record.units.length >= 3 ? true : undefined;
  }, child);
  // Every unit before the one in flight now is finished; they must all be in the checkpoint
  // written some intervals later, when the child is killed.
  await sleep(INTERVAL_MS * 2);
  const finishedBefore = latestUnit();
  await sleep(KEPT_WITHIN_MS);
  const inFlightAtKill = latestUnit();
  assert.ok(inFlightAtKill < units.length - 1, 'the sweep is still running at the kill');
  child.process.kill('SIGKILL');
  const exit = await child.exit;
  assert.equal(exit.signal, 'SIGKILL', child.stderr());

  const saved = readRecord(out);
  assert.ok(saved, 'the checkpoint parses as an experiment record');
  assert.equal(saved.status, 'cancelled');
  assert.equal(saved.error?.kind, 'interrupted');
  assert.equal(saved.unitCount, units.length);
  const kept = saved.units.map((u) => u.key);
  t.diagnostic(`finished ${KEPT_WITHIN_MS} ms before the kill: ${finishedBefore}; kept: ${kept.length}; unit in flight at the kill: ${inFlightAtKill}`);
  assert.ok(kept.length >= finishedBefore, `kept ${kept.length} units; ${finishedBefore} were finished ${KEPT_WITHIN_MS} ms before the kill`);
  assert.ok(kept.length <= inFlightAtKill + 1);
  assert.deepEqual(kept, units.slice(0, kept.length).map((u) => u.key), 'the first units, in plan order');
  assert.ok(saved.units.every((u) => u.status === 'complete'));

  double.resetCounters();
  const resumed = startCli(['scale', '--resume', 'sweep.json'], dir);
  // The resumed run's checkpoints keep the earlier units along with the new ones.
  const midResume = await until('a checkpoint of the resumed run', () => {
    const record = readRecord(out);
    return record?.status === 'cancelled' && record.units.length > kept.length ? record : undefined;
  }, resumed);
  assert.deepEqual(midResume.units.map((u) => u.key), units.slice(0, midResume.units.length).map((u) => u.key));
  assert.equal(midResume.id, saved.id);
  const end = await resumed.exit;
  assert.equal(end.code, 0, resumed.stderr());
  assert.match(resumed.stderr(), new RegExp(`Resuming sweep\\.json: ${kept.length} of ${units.length} units already measured`));
  const requests = new Map<number, number>();
  for (const prompt of generatePrompts()) requests.set(unitOf(prompt), (requests.get(unitOf(prompt)) ?? 0) + 1);
  units.forEach((u, i) => {
    if (i < kept.length) assert.equal(requests.get(i), undefined, `kept unit ${u.key} was requested again`);
    else assert.ok((requests.get(i) ?? 0) > 0, `unit ${u.key} was not measured`);
  });
  assert.equal(requests.get(-1), undefined, 'every request belongs to a unit');

  const final = readRecord(out);
  assert.ok(final);
  assert.equal(final.status, 'complete');
  assert.equal(final.id, saved.id);
  assert.equal(final.unitCount, units.length);
  assert.deepEqual(final.units.map((u) => u.key), units.map((u) => u.key));
  assert.ok(final.units.every((u) => u.status === 'complete'));
});

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} mid-sweep: the partial record is saved, the resume hint printed, exit 3`, { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sl-signal-'));
    double.resetCounters();
    const child = startCli([...ARGS, '--out', 'part.json'], dir);
    await until('unit 3 under way', () => (latestUnit() >= 3 ? true : undefined), child);
    child.process.kill(signal);
    const exit = await child.exit;
    assert.deepEqual(exit, { code: 3, signal: null }, child.stderr());
    assert.match(child.stderr(), /partial results saved: continue with --resume part\.json/);
    const saved = readRecord(join(dir, 'part.json'));
    assert.ok(saved);
    // The final save of the stopped run, not a checkpoint.
    assert.equal(saved.status, 'cancelled');
    assert.equal(saved.error?.kind, 'cancelled');
    assert.ok(saved.units.length >= 3 && saved.units.length < units.length, `${saved.units.length} units saved`);
    assert.match(child.stderr(), new RegExp(`Cancelled after ${saved.units.length} of ${units.length} units`));
  });
}

test('in process: a checkpoint that cannot be written is reported once, the run goes on; the signal listeners are removed', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sl-nowrite-'));
  const err: string[] = [];
  const io = { stdout: () => undefined, stderr: (t: string) => err.push(t), readStdin: async () => '', env: { SUPERPOSITION_CHECKPOINT_MS: '0' }, cwd: dir };
  const listeners = () => ['SIGINT', 'SIGTERM'].map((s) => process.listenerCount(s));
  const before = listeners();
  const args = ['--pool', 'sum.digits,sum.en', '--k-max', '2', '--per-task', '2', '--prompts', '2', '--seed', '5', '--model', MODEL, '--method', 'logprobs'];
  const code = await scaleCommand([...args, '--host', double.url, '--out', join('missing', 'x.json')], io);
  assert.equal(code, 0, err.join('\n'));
  assert.equal(err.filter((l) => l.startsWith('warning: cannot write the checkpoint')).length, 1, err.join('\n'));
  assert.equal(err.filter((l) => l.startsWith('error: cannot write')).length, 1, 'the final save is tried too');
  assert.deepEqual(listeners(), before);
});
