// History under crashes and concurrent writers: writer processes killed with SIGKILL at random
// points, two of them at a time in one folder; corrupt, empty, foreign and future-schema files; a
// damaged index cache. (test/unit/history.test.ts has the basic cases.)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';
import { HistoryStore, runFileName, type HistoryListing, type RunSummary, type StoredRecord } from '../../src/core/history';
import { seededRng } from '../../src/core/random';
import { crashRecord } from '../helpers/historyRecords';
import { sampleRecord } from './fixtures';

/** The record an id was saved with, as JSON gives it back. */
function expected(id: string): StoredRecord {
  return JSON.parse(JSON.stringify(crashRecord(id))) as StoredRecord;
}

interface Life {
  acked: string[];
  ready: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Starts a writer and kills it (SIGKILL) `ms` after its start or after it said `ready`. */
function runAndKill(script: string, dir: string, prefix: string, ms: number, afterReady: boolean): Promise<Life> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, dir, prefix], { stdio: ['ignore', 'pipe', 'pipe'] });
    const life: Life = { acked: [], ready: false, code: null, signal: null, stderr: '' };
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      timer = setTimeout(() => child.kill('SIGKILL'), ms);
    };
    if (!afterReady) arm();
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line === 'ready') {
          life.ready = true;
          if (afterReady) arm();
        } else life.acked.push(line);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      life.stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ ...life, code, signal });
    });
  });
}

/** Files that are not runs, planted before the writers start; they must stay listed as unreadable. */
async function plantForeignFiles(dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const future = { ...sampleRecord('future'), schemaVersion: 99 };
  const planted: Record<string, string | Buffer> = {
    'empty.json': '',
    'truncated.json': JSON.stringify(sampleRecord('truncated')).slice(0, 300),
    'foreign.json': JSON.stringify({ name: 'package', version: '1.0.0' }),
    'future-run.json': JSON.stringify(future),
    'future-experiment.json': JSON.stringify({ ...crashRecord('x-experiment'), schemaVersion: 7, kind: 'scaling' }),
    'null.json': 'null',
    'array.json': '[1, 2, 3]',
    'binary.json': Buffer.from([0, 159, 146, 150, 255, 0, 1]),
  };
  for (const [file, content] of Object.entries(planted)) await writeFile(join(dir, file), content);
  // A directory with a run-like name, and a temp file left by a writer killed before its rename.
  await mkdir(join(dir, 'folder.json'));
  await writeFile(join(dir, 'ghost.json.4242-deadbeef.tmp'), JSON.stringify(sampleRecord('ghost')));
  await writeFile(join(dir, 'notes.txt'), 'not a run');
  return [...Object.keys(planted), 'folder.json'].sort();
}

function assertListingShape(listing: HistoryListing, planted: readonly string[], where: string): void {
  assert.deepEqual(
    listing.unreadable.map((u) => u.file),
    planted,
    `${where}: exactly the planted files are unreadable: ${JSON.stringify(listing.unreadable.filter((u) => !planted.includes(u.file)))}`,
  );
  for (const u of listing.unreadable) assert.ok(u.error.length > 0, `${where}: ${u.file} has a reason`);
  const ids = new Set<string>();
  for (const run of listing.runs) {
    assert.ok(!ids.has(run.id), `${where}: ${run.id} listed twice`);
    ids.add(run.id);
    assert.equal(run.file, runFileName(run.id), `${where}: ${run.file} is the file of ${run.id}`);
    assert.ok(!run.file.endsWith('.tmp') && run.id !== 'ghost', `${where}: temp file listed as a run`);
    assert.ok(Array.isArray(run.tasks) && typeof run.headline === 'string' && typeof run.createdAt === 'string', `${where}: ${run.id} summary`);
  }
}

test('writers killed with SIGKILL at random points (two at a time, one folder) never lose or truncate an acknowledged run', { timeout: 180_000 }, async () => {
  const started = Date.now();
  const work = await mkdtemp(join(tmpdir(), 'sp-history-crash-'));
  const script = join(work, 'writer.cjs');
  await build({
    entryPoints: [join(__dirname, '..', 'helpers', 'historyCrashChild.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: script,
    logLevel: 'warning',
  });
  const dir = join(work, 'runs');
  const planted = await plantForeignFiles(dir);
  const store = new HistoryStore(dir);

  const SEED = 20261126;
  const KILLS = 210;
  const PHASES = 5; // a full check after each: both writers stopped
  const rng = seededRng(SEED);
  const acked = new Set<string>();
  let kills = 0;
  let spawned = 0;
  let killedBeforeReady = 0;
  let concurrentListings = 0;
  let fullChecks = 0;

  const fullCheck = async (where: string): Promise<HistoryListing> => {
    fullChecks++;
    const listing = await store.list();
    assertListingShape(listing, planted, where);
    const listed = new Set(listing.runs.map((r) => r.id));
    const missing = [...acked].filter((id) => !listed.has(id));
    assert.deepEqual(missing, [], `${where}: acknowledged runs missing from the listing`);
    // The cache matches the files: index.json holds exactly the listing, each entry with its file's size and time…
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { version: number; runs: RunSummary[] };
    assert.deepEqual(index.runs, listing.runs, `${where}: index.json is the listing`);
    for (const entry of index.runs) {
      const info = await stat(join(dir, entry.file));
      assert.ok(entry.size === info.size && entry.mtimeMs === info.mtimeMs, `${where}: index entry of ${entry.file} is stale`);
    }
    // …and a listing rebuilt from the files alone (no index) is the same.
    await rm(join(dir, 'index.json'));
    const rebuilt = await new HistoryStore(dir).list();
    assert.deepEqual(rebuilt, listing, `${where}: listing rebuilt without the index differs`);
    return listing;
  };

  // Two lanes, each a writer after another, so two processes write into the folder at (almost)
  // every moment; each one killed at a random point.
  const lane = async (name: string, until: number): Promise<void> => {
    while (spawned < until) {
      const n = spawned++;
      // One kill in eight lands during start-up (first mkdir, first write); the others while writing.
      const early = rng() < 0.125;
      const ms = early ? 30 + rng() * 90 : rng() * 200;
      if (early) killedBeforeReady++;
      const life = await runAndKill(script, dir, `k${String(n).padStart(3, '0')}${name}`, ms, !early);
      assert.equal(life.signal, 'SIGKILL', `writer ${n} stopped by itself (code ${life.code}): ${life.stderr}`);
      assert.equal(life.stderr, '', `writer ${n}: error`);
      kills++;
      for (const id of life.acked) {
        acked.add(id);
        assert.deepEqual(await store.loadStored(id), expected(id), `writer ${n}: ${id} lost or changed`);
      }
      // A third "window" reconciles while the other lane writes.
      assertListingShape(await store.list(), planted, `after writer ${n} (listing during writes)`);
      concurrentListings++;
    }
  };
  for (let phase = 1; phase <= PHASES; phase++) {
    const until = Math.ceil((KILLS * phase) / PHASES);
    await Promise.all([lane('a', until), lane('b', until)]);
    await fullCheck(`after ${kills} kills`);
  }

  const listing = await store.list();
  // Every listed run — acknowledged, or saved just before its writer died — is complete.
  for (const run of listing.runs) assert.deepEqual(await store.loadStored(run.id), expected(run.id), `${run.id} truncated or changed`);
  const names = await readdir(dir);
  const runTemps = names.filter((n) => n.endsWith('.tmp') && !n.startsWith('index.json.') && !n.startsWith('ghost.'));
  const indexTemps = names.filter((n) => n.startsWith('index.json.') && n.endsWith('.tmp'));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `history crash: ${kills} kills (${killedBeforeReady} during start-up), ${acked.size} acknowledged runs, ${listing.runs.length} runs listed ` +
      `(${listing.runs.length - acked.size} saved but not acknowledged), ${concurrentListings} listings during writes, ${fullChecks} full checks, ` +
      `temp files left by kills: ${runTemps.length} run writes, ${indexTemps.length} index writes; ${seconds} s`,
  );
  assert.ok(kills >= 200);
  assert.ok(acked.size >= 100, `only ${acked.size} acknowledged runs`);
  assert.ok(listing.runs.some((r) => r.kind !== 'analysis') && listing.runs.some((r) => r.kind === 'analysis'), 'both kinds written');
  assert.ok(indexTemps.length > 0, 'some kills landed in index.json writes');
  await rm(work, { recursive: true, force: true });
});

test('unreadable files of every kind are listed apart, never break the listing, and recover when fixed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sp-history-'));
  const store = new HistoryStore(dir);
  await store.save(sampleRecord('good'));
  const experiment = crashRecord('exp-0');
  await store.save(experiment);
  const cases: Record<string, string> = {
    'number.json': '42',
    'string.json': '"a run"',
    'null.json': 'null',
    'whitespace.json': ' \n\t ',
    'future-experiment.json': JSON.stringify({ ...crashRecord('exp-1'), schemaVersion: 2 }),
    'bad-experiment.json': JSON.stringify({ kind: 'calibration', schemaVersion: 1, id: 'x' }),
    'mismatched-experiment.json': JSON.stringify({ ...crashRecord('exp-2'), kind: crashRecord('exp-2').kind === 'scaling' ? 'calibration' : 'scaling' }),
    'run-with-nul.json': JSON.stringify(sampleRecord('nul')).replace('"complete"', '"comp\u0000lete"'),
  };
  for (const [file, text] of Object.entries(cases)) await writeFile(join(dir, file), text);
  const listing = await store.list();
  assert.deepEqual(listing.runs.map((r) => r.id).sort(), ['exp-0', 'good'].sort());
  assert.deepEqual(listing.unreadable.map((u) => u.file), Object.keys(cases).sort());
  for (const u of listing.unreadable) assert.ok(u.error.length > 0 && Number.isFinite(u.mtimeMs), u.file);
  assert.match(listing.unreadable.find((u) => u.file === 'future-experiment.json')!.error, /newer version/);

  // A readable run replaced by garbage (another program, a bad merge) turns unreadable, and back.
  const goodFile = join(dir, runFileName('good'));
  const goodText = await readFile(goodFile, 'utf8');
  await writeFile(goodFile, goodText.slice(0, goodText.length - 40));
  let again = await store.list();
  assert.deepEqual(again.runs.map((r) => r.id), ['exp-0']);
  assert.ok(again.unreadable.some((u) => u.file === 'good.json'));
  await writeFile(goodFile, goodText);
  again = await store.list();
  assert.deepEqual(again.runs.map((r) => r.id).sort(), ['exp-0', 'good']);
  assert.deepEqual(await store.loadStored('exp-0'), JSON.parse(JSON.stringify(experiment)));
});

test('an index.json whose entries are damaged is not trusted, even when sizes and times match', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sp-history-'));
  const store = new HistoryStore(dir);
  await store.save(sampleRecord('one'));
  await store.save(sampleRecord('two', '2026-11-27T00:00:00.000Z'));
  const good = await store.list();
  const indexFile = join(dir, 'index.json');
  const damaged: unknown[] = [
    { version: 2, runs: good.runs.map((r) => ({ ...r, tasks: 'sum.digits' })) },
    { version: 2, runs: good.runs.map((r) => ({ ...r, createdAt: 5, headline: null })) },
    { version: 2, runs: good.runs.map((r) => ({ file: r.file, size: r.size, mtimeMs: r.mtimeMs })) },
    { version: 2, runs: good.runs.map((r) => ({ ...r, id: r.id === 'one' ? 'two' : 'one' })) },
    { version: 2, runs: [null, 7, 'x', ...good.runs] },
    { version: 2, runs: { length: 2 } },
    { version: 3, runs: [] },
    [],
    null,
  ];
  for (const content of damaged) {
    await writeFile(indexFile, JSON.stringify(content));
    // A new store (another window, a restart) reads the index; `store` already knows the files.
    const listing = await new HistoryStore(dir).list();
    assert.deepEqual(listing, good, `index ${JSON.stringify(content).slice(0, 80)}`);
  }
});

test('a copy of a run file does not list the run twice; a renamed run file still lists and loads by id', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sp-history-'));
  const store = new HistoryStore(dir);
  await store.save(sampleRecord('orig'));
  const text = await readFile(join(dir, 'orig.json'), 'utf8');
  await writeFile(join(dir, 'orig copy.json'), text);
  await writeFile(join(dir, 'aaa-before.json'), text);
  let listing = await store.list();
  assert.deepEqual(listing.runs.map((r) => [r.id, r.file]), [['orig', 'orig.json']]);
  assert.deepEqual(listing.unreadable.map((u) => u.file), ['aaa-before.json', 'orig copy.json']);
  assert.match(listing.unreadable[0]!.error, /same run .*orig\.json/);
  // Renamed: the only file of the run is not named after its id.
  await rm(join(dir, 'orig.json'));
  await rm(join(dir, 'orig copy.json'));
  listing = await store.list();
  assert.deepEqual(listing.runs.map((r) => [r.id, r.file]), [['orig', 'aaa-before.json']]);
  assert.deepEqual(listing.unreadable, []);
  assert.equal((await store.load('orig')).id, 'orig');
  assert.equal((await store.loadStored('orig')).id, 'orig');
  await assert.rejects(store.loadStored('nothing'), /ENOENT/);
});
