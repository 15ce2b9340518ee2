// The bundled CLI (dist/cli.js) end to end against the Ollama TEST DOUBLE.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { scriptFromAnswers, startOllamaDouble, type OllamaDouble } from '../double/index';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const example = join(root, 'examples', 'add-translate.txt');
const MODEL = 'double-cli:latest';
let double: OllamaDouble;

function promptOf(file: string): string {
  return readFileSync(file, 'utf8').replace(/\s+$/, '');
}

before(async () => {
  execFileSync(process.execPath, [join(root, 'esbuild.mjs')], { cwd: root });
  double = await startOllamaDouble({
    models: [
      {
        name: MODEL,
        script: [
          scriptFromAnswers(promptOf(example), [
            { text: '140', prob: 0.42 },
            { text: 'one hundred and forty', prob: 0.21 },
            { text: 'cent quarante', prob: 0.12 },
            { text: 'ciento cuarenta', prob: 0.09 },
          ]),
        ],
      },
    ],
  });
});
after(() => double.close());

function run(args: string[], input?: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { PATH: process.env['PATH'] ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

test('analyze prints the per-task table', async () => {
  const { code, stdout, stderr } = await run(['analyze', 'examples/add-translate.txt', '--model', MODEL, '--host', double.url]);
  assert.equal(code, 0, stderr);
  for (const id of ['sum.digits', 'sum.en', 'sum.fr', 'sum.es', 'other']) assert.match(stdout, new RegExp(`^${id.replace('.', '\\.')}\\s`, 'm'));
  assert.match(stdout, /"cent quarante"/);
  assert.match(stdout, /25%/);
  assert.match(stdout, /KL\(shares ‖ p\)/);
  assert.match(stdout, /r 4\/4/);
  assert.match(stdout, /█/);
  assert.match(stdout, /Model double-cli:latest/);
});

test('--json prints the run record with every documented field', async () => {
  const { code, stdout } = await run(['analyze', 'examples/add-translate.txt', '--model', MODEL, '--host', double.url, '--json', '--top-k', '6']);
  assert.equal(code, 0);
  const record = JSON.parse(stdout) as Record<string, unknown> & { tasks: Array<Record<string, unknown>>; metrics: Record<string, unknown>; server: Record<string, unknown> };
  for (const key of ['schemaVersion', 'model', 'method', 'other', 'completions', 'requests', 'durationMs']) assert.ok(key in record, key);
  assert.equal(record.server['version'], '0.13.0');
  for (const key of ['kl', 'klNormalized', 'r', 'K']) assert.ok(key in record.metrics, key);
  for (const task of record.tasks) for (const key of ['id', 'answer', 'share', 'probability', 'lower', 'upper']) assert.ok(key in task, key);
  const truth = double.truth(MODEL, promptOf(example), '140');
  assert.ok(Math.abs((record.tasks[0]!['probability'] as number) - truth) < 0.01);
  assert.equal((record['completions'] as unknown[]).length, 6);
});

test('--csv prints one row per task plus other', async () => {
  const { code, stdout } = await run(['analyze', 'examples/add-translate.txt', '--model', MODEL, '--host', double.url, '--csv']);
  assert.equal(code, 0);
  const lines = stdout.trim().split('\n');
  assert.equal(lines[0], 'model,method,status,task,answer,share,probability,lower,upper,exact,ci95_low,ci95_high,run_id,created_at,source,model_digest,simulated,kl,kl_normalized,r,K,entropy,task_mass');
  assert.equal(lines.length, 1 + 4 + 1);
});

test('sampling with --samples gives 95% intervals', async () => {
  const { code, stdout } = await run(['analyze', 'examples/add-translate.txt', '--model', MODEL, '--host', double.url, '--method', 'sampling', '--samples', '60', '--json']);
  assert.equal(code, 0);
  const record = JSON.parse(stdout) as { method: string; tasks: Array<{ ci95?: number[] }> };
  assert.equal(record.method, 'sampling');
  assert.ok(record.tasks.every((t) => t.ci95?.length === 2));
});

test('OLLAMA_HOST is used when --host is absent; stdin input with -', async () => {
  const { code, stdout } = await run(['analyze', '-', '--model', MODEL, '--json'], readFileSync(example, 'utf8'), { OLLAMA_HOST: double.url });
  assert.equal(code, 0);
  assert.equal((JSON.parse(stdout) as { server: { host: string } }).server.host, double.url);
});

test('exit 1 when another task is above the threshold', async () => {
  const fail = await run(['analyze', 'examples/add-translate.txt', '--model', MODEL, '--host', double.url, '--fail-if-other-task-above', '0.1', '--task', 'sum.digits']);
  assert.equal(fail.code, 1);
  assert.match(fail.stderr, /threshold failed: sum\.en/);
  const pass = await run(['analyze', 'examples/add-translate.txt', '--model', MODEL, '--host', double.url, '--fail-if-other-task-above', '0.5', '--task', 'sum.digits']);
  assert.equal(pass.code, 0, pass.stderr);
});

test('exit 2 on usage and input errors, with the message on stderr', async () => {
  const noModel = await run(['analyze', 'examples/add-translate.txt']);
  assert.equal(noModel.code, 2);
  assert.match(noModel.stderr, /--model is required/);
  const missingFile = await run(['analyze', 'nope.txt', '--model', MODEL]);
  assert.equal(missingFile.code, 2);
  assert.match(missingFile.stderr, /cannot read nope\.txt/);
  const noQuery = await run(['analyze', '-', '--model', MODEL], '1+2->3\n4+5->9\n');
  assert.equal(noQuery.code, 2);
  assert.match(noQuery.stderr, /<stdin>:2:1: error: .*query/);
  const binary = await run(['analyze', '-', '--model', MODEL], 'a->b\u0000\nc->');
  assert.equal(binary.code, 2);
  assert.match(binary.stderr, /binary/);
  const badMethod = await run(['analyze', 'examples/ab.txt', '--model', MODEL, '--method', 'magic']);
  assert.equal(badMethod.code, 2);
  const unknown = await run(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command/);
});

test('exit 3 on server errors, with a next step', async () => {
  const missing = await run(['analyze', 'examples/add-translate.txt', '--model', 'llama3.2', '--host', double.url]);
  assert.equal(missing.code, 3);
  assert.match(missing.stderr, /next step: Pull the model/);
  const gone = await startOllamaDouble({ models: [] });
  const url = gone.url;
  await gone.close();
  const down = await run(['analyze', 'examples/add-translate.txt', '--model', MODEL, '--host', url, '--json']);
  assert.equal(down.code, 3);
  assert.match(down.stderr, /Start Ollama/);
  assert.equal((JSON.parse(down.stdout) as { status: string }).status, 'failed');
  // No table of [0, 1] intervals before a connection error: only the header, the status and the error.
  const table = await run(['analyze', 'examples/add-translate.txt', '--model', MODEL, '--host', url]);
  assert.equal(table.code, 3);
  assert.match(table.stdout, /Status: FAILED before any measurement: no numbers to show\./);
  assert.doesNotMatch(table.stdout, /\[0\.0000, 1\.0000\]|task mass|KL/);
  const models = await run(['models', '--host', url]);
  assert.equal(models.code, 3);
});

test('models lists the server models', async () => {
  const { code, stdout } = await run(['models', '--host', double.url]);
  assert.equal(code, 0);
  assert.match(stdout, /Ollama 0\.13\.0/);
  assert.match(stdout, /double-cli:latest/);
});

test('generate prints a mix the paper way, and a structured file with --json', async () => {
  const text = await run(['generate', '--tasks', 'sum.digits,sum.en', '--per-task', '3', '--seed', '4']);
  assert.equal(text.code, 0);
  const lines = text.stdout.trim().split('\n');
  assert.equal(lines.length, 7);
  assert.match(lines.at(-1)!, /^\d+\+\d+->$/);
  const json = await run(['generate', '--tasks', 'country.capital,country.continent', '--proportions', '1,3', '--total', '8', '--seed', '1', '--json']);
  assert.equal(json.code, 0);
  const doc = JSON.parse(json.stdout) as { examples: unknown[]; tasks: string[] };
  assert.equal(doc.examples.length, 8);
  assert.deepEqual(doc.tasks, ['country.capital', 'country.continent']);
  // The generated structured file analyses like any other.
  const dir = mkdtempSync(join(tmpdir(), 'sp-cli-'));
  writeFileSync(join(dir, 'g.superposition.json'), json.stdout);
  const analysed = await run(['analyze', join(dir, 'g.superposition.json'), '--model', MODEL, '--host', double.url, '--json']);
  assert.equal(analysed.code, 0, analysed.stderr);
  assert.deepEqual((JSON.parse(analysed.stdout) as { tasks: Array<{ id: string }> }).tasks.map((t) => t.id), ['country.capital', 'country.continent']);
  const bad = await run(['generate', '--tasks', 'sum.digits,word.first_lower']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /share one input format/);
});

test('tasks lists the built-in tasks and sets', async () => {
  const { code, stdout } = await run(['tasks']);
  assert.equal(code, 0);
  assert.match(stdout, /country\.currency/);
  assert.match(stdout, /add-translate\s+sum\.digits, sum\.en, sum\.fr, sum\.es/);
});

test('a reader that closes the pipe early (`| head`) ends the CLI quietly, exit 0', async () => {
  const child = spawn(process.execPath, [cli, 'tasks'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0);
  assert.doesNotMatch(stderr, /EPIPE|Unhandled/);
});
