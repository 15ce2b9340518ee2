/**
 * `npm run bench`: the performance benchmark (not a test; not part of `npm test`).
 *
 * Runs against the Ollama TEST DOUBLE (scripted, simulated latency, parallel slots, per-slot prompt
 * cache and cost model) in its own process, prints a table of figure | target | measured | ok with
 * the date and the machine, the definitions and the details behind every figure (bench/report.ts,
 * bench/details.ts), and writes the same as Markdown to bench/results.md (for the README). Takes
 * about four minutes.
 *
 *   npm run bench [-- --no-chart] [-- --no-sampling] [-- --quick] [-- --note "text for the header"]
 *     --quick   shorter sweeps, one run each, fewer activation samples (a smoke run; not for results.md)
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { productionBuild, type ProductionBuild } from './build';
import { benchAnalysisCache } from './cache';
import { benchChart, findChromium, type ChartResult } from './chart';
import { benchClientCost } from './clientCost';
import { DoubleHost } from './doubles';
import { benchHeavyTail } from './heavyTail';
import { benchHistory } from './history';
import { benchLongAnswers } from './longAnswers';
import { benchMemory } from './memory';
import { benchCancelLatency, benchEngineCost, benchProgress } from './progress';
import { buildReport, type ActivationSamples, type CombinedSweep } from './report';
import { repoRoot } from './scenario';
import { benchScoring, HALF_WIDTH, LATENCY_MS } from './scoring';
import { runSweep, type SweepConfig, type SweepResult } from './sweep';

const argv = process.argv.slice(2);
const args = new Set(argv);
const quick = args.has('--quick');
const noteAt = argv.indexOf('--note');
const note = noteAt >= 0 ? argv[noteAt + 1] ?? '' : '';
const started = performance.now();
const log = (line: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);

/** The cost model's per-token term on the sweeps and the cache figure: a cache miss costs time. */
const UNCACHED_TOKEN_MS = 0.05;

// ── sections ───────────────────────────────────────────────────────────────────────────────────
/** Fresh node processes, alternating: Node's built-ins already loaded (as in VS Code's extension host) or not. */
function activation(build: ProductionBuild, samples: number): { loaded: ActivationSamples; cold: ActivationSamples; subscriptions: number } {
  const empty = (): ActivationSamples => ({ totalMs: [], requireMs: [], activateMs: [], deferredMs: [] });
  const out = { loaded: empty(), cold: empty(), subscriptions: 0 };
  for (let i = 0; i <= samples; i++) {
    for (const variant of ['loaded', 'cold'] as const) {
      const argv = [join(__dirname, 'activate.cjs'), join(build.dist, 'extension.js'), repoRoot, ...(variant === 'loaded' ? ['--builtins-loaded'] : [])];
      const r = spawnSync(process.execPath, argv, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`activation child failed: ${r.stderr}`);
      const m = JSON.parse(r.stdout.trim()) as { requireMs: number; activateMs: number; totalMs: number; deferredMs: number; subscriptions: number };
      if (i === 0) continue; // the first processes warm the disk cache
      out[variant].totalMs.push(m.totalMs);
      out[variant].requireMs.push(m.requireMs);
      out[variant].activateMs.push(m.activateMs);
      out[variant].deferredMs.push(m.deferredMs);
      out.subscriptions = m.subscriptions;
    }
  }
  return out;
}

const sweep = (label: string, hosts: number, slotsPerHost: number, prompts: number, unitsInFlight?: number): SweepConfig => ({
  label, hosts, slotsPerHost, prompts: quick ? Math.ceil(prompts / 4) : prompts, latencyMs: LATENCY_MS, uncachedTokenMs: UNCACHED_TOKEN_MS, ...(unitsInFlight ? { unitsInFlight } : {}),
});
// Long enough that the drain (the last units, fewer than slots) is a small part of the steady state.
const SWEEPS: SweepConfig[] = [sweep('1 slot', 1, 1, 24), sweep('4 slots', 1, 4, 96), sweep('8 slots', 1, 8, 240), sweep('2 hosts × 4 slots', 2, 4, 240)];
const DIAGNOSTIC_SWEEP = sweep('8 slots, 16 units in flight (diagnostic)', 1, 8, 240, 16);

async function main(): Promise<void> {
  const date = new Date();
  const machine = {
    cpu: os.cpus()[0]?.model ?? 'unknown CPU',
    cores: os.cpus().length,
    memGiB: os.totalmem() / 1024 ** 3,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
  };
  log(`${machine.cpu}, ${machine.cores} cores, Node ${machine.node}`);

  log('production build (node esbuild.mjs --production, in a temporary folder)');
  const build = await productionBuild();
  let host: DoubleHost | undefined;
  try {
    const samples = quick ? 3 : 11;
    log(`activation + deferred engine load: 2 × ${samples} fresh node processes`);
    const act = activation(build, samples);

    host = await DoubleHost.start();
    log(`teacher-forced scoring of the 4-task prompt${args.has('--no-sampling') ? '' : ', then sampling at equal accuracy (≈ 20 s)'}`);
    const scoring = await benchScoring(host, log, !args.has('--no-sampling'));
    log('long answers: 4 × 256 bytes, 8 slots');
    const long = await benchLongAnswers(host, LATENCY_MS);
    log(`  ${long.requests} requests in ${long.wallMs.toFixed(0)} ms, token depth ${long.tokenDepth}`);
    log('heavy tail: teacher forcing vs sampling');
    const heavy = await benchHeavyTail(host, LATENCY_MS, HALF_WIDTH);
    log('prompt cache: one analysis on 1 slot, cold and warm');
    const cache = await benchAnalysisCache(host, LATENCY_MS, UNCACHED_TOKEN_MS);

    // Each product configuration twice (the machine is shared: one run can be unlucky), the diagnostic once.
    const runs = new Map<SweepConfig, SweepResult[]>();
    for (const config of [...SWEEPS, ...(quick ? [] : SWEEPS), DIAGNOSTIC_SWEEP]) {
      log(`sweep: ${config.label}, ${config.prompts} prompts`);
      runs.set(config, [...(runs.get(config) ?? []), await runSweep(host, config)]);
    }
    const sweeps = [...runs.values()].map(combineSweeps);
    log('client cost per request (diagnosis)');
    const client = await benchClientCost(host, 300);

    log('host memory: ~5 000-request sweep in a child process');
    const memory = await benchMemory(host, build.memoryChild, quick ? 40 : 275, 8, 5);
    await host.stop();
    host = undefined;

    log('history: 10 000 run files');
    const history = await benchHistory(scoring.record, quick ? 1000 : 10_000, 100, 3);

    log('experiment progress: CPU per finished prompt at 10 … 10 000 prompts; engine time per request against prompt length; cancel');
    const progress = benchProgress(quick ? [10, 100, 1000] : [10, 100, 1000, 10_000], quick ? 100 : 1000);
    const engine = await benchEngineCost();
    const cancel = await benchCancelLatency();

    let chart: ChartResult | string;
    const chromium = findChromium();
    if (args.has('--no-chart')) chart = 'not measured: --no-chart';
    else if (!chromium) chart = 'not measured: no Chromium (install Debian’s chromium or run scripts/e2e-tools.sh)';
    else {
      log(`chart: ${chromium}, 5 + 5 fresh page loads`);
      chart = await benchChart(build.dist, scoring.record, quick ? 2 : 5, chromium);
    }

    const report = buildReport({ date, machine, build, act, scoring, long, heavy, cache, sweeps, client, memory, history, progress, engine, cancel, chart, note, seconds: (performance.now() - started) / 1000 });
    process.stdout.write(`${report.text}\n`);
    if (quick) log('--quick: bench/results.md left alone');
    else {
      writeFileSync(join(__dirname, 'results.md'), report.markdown);
      log(`wrote bench/results.md (${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
    }
  } finally {
    await host?.stop();
    rmSync(build.dir, { recursive: true, force: true });
  }
}

/** The mean of repeated runs of one sweep, with every run's utilisation. */
function combineSweeps(results: SweepResult[]): CombinedSweep {
  const mean = (f: (x: SweepResult) => number) => results.reduce((a, x) => a + f(x), 0) / results.length;
  const first = results[0]!;
  return {
    ...first,
    wallMs: mean((x) => x.wallMs),
    busyMs: mean((x) => x.busyMs),
    utilisation: mean((x) => x.utilisation),
    overhead: mean((x) => x.overhead),
    steadyUtilisation: mean((x) => x.steadyUtilisation),
    drainShare: mean((x) => x.drainShare),
    cpuShare: mean((x) => x.cpuShare),
    doubleCpuShare: mean((x) => x.doubleCpuShare),
    idle: {
      boundaryMs: mean((x) => x.idle.boundaryMs),
      boundaries: mean((x) => x.idle.boundaries),
      betweenMs: mean((x) => x.idle.betweenMs),
      between: mean((x) => x.idle.between),
    },
    cpuPerRequestMs: mean((x) => x.cpuPerRequestMs),
    idealMs: mean((x) => x.idealMs),
    promptTokens: mean((x) => x.promptTokens),
    cachedPromptTokens: mean((x) => x.cachedPromptTokens),
    runs: results.map((x) => x.utilisation),
    steadyRuns: results.map((x) => x.steadyUtilisation),
  };
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
