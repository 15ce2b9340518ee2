// 100 000 runs listed cold (no index.json) by a process limited to 1 024 open files: every run is
// listed, none is reported unreadable, and the listing never has more than its bound of files in
// flight (an unbounded Promise.all over the files runs out of descriptors at this size).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { runFileName } from '../../src/core/history';
import { sampleRecord } from './fixtures';

const RUNS = 100_000;
const BOUND = 64;
const ROOT = resolve(__dirname, '..', '..');

/** Small valid run files, written 64 at a time. */
async function writeRuns(dir: string, count: number): Promise<void> {
  const template = sampleRecord('template');
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      const n = next++;
      const id = `run-${n.toString(36).padStart(5, '0')}`;
      const createdAt = new Date(Date.UTC(2026, 0, 1) + n * 60_000).toISOString();
      await writeFile(join(dir, runFileName(id)), JSON.stringify({ ...template, id, createdAt }));
    }
  };
  await Promise.all(Array.from({ length: 64 }, lane));
}

/** The child: lists the folder with a fresh store, counting file operations in flight and descriptor errors. */
function childScript(): string {
  const core = (file: string) => JSON.stringify(join(ROOT, 'src', 'core', file));
  return `
import { HistoryStore } from ${core('history.ts')};
import { nodeFs } from ${core('historyFs.ts')};
let inFlight = 0;
let maxInFlight = 0;
let fdErrors = 0;
function tracked(op) {
  return async (...args) => {
    maxInFlight = Math.max(maxInFlight, ++inFlight);
    try {
      return await op(...args);
    } catch (err) {
      if (err.code === 'EMFILE' || err.code === 'ENFILE') fdErrors++;
      throw err;
    } finally {
      inFlight--;
    }
  };
}
async function main() {
  const fs = { ...nodeFs, stat: tracked(nodeFs.stat), readFile: tracked(nodeFs.readFile), readStamped: tracked(nodeFs.readStamped) };
  const started = performance.now();
  const listing = await new HistoryStore(process.argv[2], { fs }).list();
  const ms = Math.round(performance.now() - started);
  const unreadable = listing.unreadable.slice(0, 3);
  console.log(JSON.stringify({ runs: listing.runs.length, unreadable: listing.unreadable.length, examples: unreadable, maxInFlight, fdErrors, ms }));
}
main().catch((err) => { console.error(err); process.exit(1); });
`;
}

function run(command: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

test(`${RUNS.toLocaleString('en-US')} runs listed cold under ulimit -n 1024: none missing, none unreadable`, { timeout: 300_000 }, async () => {
  const work = await mkdtemp(join(tmpdir(), 'sp-history-scale-'));
  try {
    const dir = join(work, 'runs');
    await mkdir(dir);
    await writeRuns(dir, RUNS);
    const script = join(work, 'list.ts');
    await writeFile(script, childScript());
    const { code, stdout, stderr } = await run('bash', ['-c', `ulimit -n 1024 && exec "${process.execPath}" --import tsx "${script}" "${dir}"`], 180_000);
    assert.equal(code, 0, `the listing failed or did not finish in 3 minutes: ${stderr}`);
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as { runs: number; unreadable: number; examples: unknown[]; maxInFlight: number; fdErrors: number; ms: number };
    console.log(`history scale: ${JSON.stringify(result)}`);
    assert.equal(result.unreadable, 0, `good runs reported unreadable: ${JSON.stringify(result.examples)}`);
    assert.equal(result.runs, RUNS);
    assert.ok(result.maxInFlight <= BOUND, `${result.maxInFlight} file operations in flight (bound ${BOUND})`);
    assert.equal(result.fdErrors, 0, 'the bound keeps far below the descriptor limit');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
