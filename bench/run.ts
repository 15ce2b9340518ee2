/**
 * `npm run bench`: the performance benchmark (not a test; not part of `npm test`).
 *
 * Runs against the Ollama TEST DOUBLE (scripted, simulated latency, parallel slots) in its own
 * process, prints a table of figure | target | measured | ok with the date and the machine, the
 * definitions and the details behind every figure, and writes the same as Markdown to
 * bench/results.md (for the README). Takes about two minutes.
 *
 *   npm run bench [-- --no-chart] [-- --no-sampling]
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { productionBuild, type ProductionBuild } from './build';
import { benchChart, findChromium, type ChartResult } from './chart';
import { benchClientCost, type ClientCost } from './clientCost';
import { DoubleHost } from './doubles';
import { benchHistory, type HistoryResult } from './history';
import { benchMemory, type MemoryResult } from './memory';
import { repoRoot } from './scenario';
import { benchScoring, HALF_WIDTH, LATENCY_MS, type ScoringResult } from './scoring';
import { runSweep, type SweepConfig, type SweepResult } from './sweep';

const args = new Set(process.argv.slice(2));
const started = performance.now();
const log = (line: string) => process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}\n`);

// ── targets ────────────────────────────────────────────────────────────────────────────────────
const TARGET = {
  boundRatio: 1.1,
  samplingRatio: 20,
  overhead: 0.02,
  utilisation: 0.9,
  activationMs: 50,
  extensionKiB: 250,
  webviewKiB: 350,
  historyMs: 200,
  memoryMiB: 150,
  chartMs: 300,
};
const KIB = 1024;
const MIB = 1024 * 1024;

// ── helpers ────────────────────────────────────────────────────────────────────────────────────
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? Number.NaN : s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const pct = (x: number, digits = 1) => `${(100 * x).toFixed(digits)} %`;
const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
const range = (xs: readonly number[]) => (xs.length > 1 ? ` (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})` : '');

interface Row {
  figure: string;
  target: string;
  measured: string;
  ok: boolean | undefined;
}

// ── sections ───────────────────────────────────────────────────────────────────────────────────
interface ActivationSamples {
  totalMs: number[];
  requireMs: number[];
  activateMs: number[];
}

/** Fresh node processes, alternating: Node's built-ins already loaded (as in VS Code's extension host) or not. */
function activation(build: ProductionBuild, samples: number): { loaded: ActivationSamples; cold: ActivationSamples; subscriptions: number } {
  const empty = (): ActivationSamples => ({ totalMs: [], requireMs: [], activateMs: [] });
  const out = { loaded: empty(), cold: empty(), subscriptions: 0 };
  for (let i = 0; i <= samples; i++) {
    for (const variant of ['loaded', 'cold'] as const) {
      const argv = [join(__dirname, 'activate.cjs'), join(build.dist, 'extension.js'), repoRoot, ...(variant === 'loaded' ? ['--builtins-loaded'] : [])];
      const r = spawnSync(process.execPath, argv, { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`activation child failed: ${r.stderr}`);
      const m = JSON.parse(r.stdout.trim()) as { requireMs: number; activateMs: number; totalMs: number; subscriptions: number };
      if (i === 0) continue; // the first processes warm the disk cache
      out[variant].totalMs.push(m.totalMs);
      out[variant].requireMs.push(m.requireMs);
      out[variant].activateMs.push(m.activateMs);
      out.subscriptions = m.subscriptions;
    }
  }
  return out;
}

const SWEEPS: SweepConfig[] = [
  { label: '1 slot', hosts: 1, slotsPerHost: 1, prompts: 12, latencyMs: LATENCY_MS },
  { label: '4 slots', hosts: 1, slotsPerHost: 4, prompts: 48, latencyMs: LATENCY_MS },
  { label: '8 slots', hosts: 1, slotsPerHost: 8, prompts: 96, latencyMs: LATENCY_MS },
  { label: '2 hosts × 4 slots', hosts: 2, slotsPerHost: 4, prompts: 96, latencyMs: LATENCY_MS },
];
const DIAGNOSTIC_SWEEP: SweepConfig = { label: '8 slots, 16 units in flight (diagnostic)', hosts: 1, slotsPerHost: 8, prompts: 96, latencyMs: LATENCY_MS, unitsInFlight: 16 };

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
    log('activation: 2 × 11 fresh node processes');
    const act = activation(build, 11);

    host = await DoubleHost.start();
    log(`teacher-forced scoring of the 4-task prompt${args.has('--no-sampling') ? '' : ', then sampling at equal accuracy (≈ 20 s)'}`);
    const scoring = await benchScoring(host, log, !args.has('--no-sampling'));

    // Each product configuration twice (the machine is shared: one run can be unlucky), the diagnostic once.
    const runs = new Map<SweepConfig, SweepResult[]>();
    for (const config of [...SWEEPS, ...SWEEPS, DIAGNOSTIC_SWEEP]) {
      log(`sweep: ${config.label}, ${config.prompts} prompts`);
      runs.set(config, [...(runs.get(config) ?? []), await runSweep(host, config)]);
    }
    const sweeps = [...runs.values()].map(combineSweeps);
    log('client cost per request (diagnosis)');
    const client = await benchClientCost(host, 300);

    log('host memory: ~5 000-request sweep in a child process');
    const memory = await benchMemory(host, build.memoryChild, 275, 8, 5);
    await host.stop();
    host = undefined;

    log('history: 10 000 run files');
    const history = await benchHistory(scoring.record, 10_000, 100, 3);

    let chart: ChartResult | string;
    const chromium = findChromium();
    if (args.has('--no-chart')) chart = 'not measured: --no-chart';
    else if (!chromium) chart = 'not measured: no Chromium (install Debian’s chromium or run scripts/e2e-tools.sh)';
    else {
      log(`chart: ${chromium}, 5 + 5 fresh page loads`);
      chart = await benchChart(build.dist, scoring.record, 5, chromium);
    }

    const report = buildReport({ date, machine, build, act, scoring, sweeps, client, memory, history, chart, seconds: (performance.now() - started) / 1000 });
    process.stdout.write(`${report.text}\n`);
    writeFileSync(join(__dirname, 'results.md'), report.markdown);
    log(`wrote bench/results.md (${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
  } finally {
    await host?.stop();
    rmSync(build.dir, { recursive: true, force: true });
  }
}

/** The mean of repeated runs of one sweep (idle periods summed), with every run's utilisation. */
function combineSweeps(results: SweepResult[]): SweepResult & { runs: number[] } {
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
    runs: results.map((x) => x.utilisation),
  };
}

// ── the report ─────────────────────────────────────────────────────────────────────────────────
interface Results {
  date: Date;
  machine: { cpu: string; cores: number; memGiB: number; os: string; node: string };
  build: ProductionBuild;
  act: ReturnType<typeof activation>;
  scoring: ScoringResult;
  sweeps: Array<SweepResult & { runs: number[] }>;
  client: ClientCost;
  memory: MemoryResult;
  history: HistoryResult;
  chart: ChartResult | string;
  seconds: number;
}

function buildReport(r: Results): { text: string; markdown: string } {
  const rows: Row[] = [];
  const s = r.scoring;
  const boundRatio = s.requests / s.bound;
  rows.push({ figure: 'Teacher-forced scoring, 4-task prompt: requests / trie-node lower bound', target: `≤ ${TARGET.boundRatio}×`, measured: `${s.requests} / ${s.bound} = ${boundRatio.toFixed(2)}×`, ok: boundRatio <= TARGET.boundRatio });
  const samplingRatio = s.samplesNeeded / s.requests;
  rows.push({
    figure: `Sampling at equal accuracy (±${100 * HALF_WIDTH} points, 95 %) / teacher-forced requests`,
    target: `≥ ${TARGET.samplingRatio}× fewer`,
    measured: `${s.samplesNeeded} / ${s.requests} = ${samplingRatio.toFixed(0)}× fewer`,
    ok: samplingRatio >= TARGET.samplingRatio,
  });
  for (const w of r.sweeps.filter((x) => x.unitsInFlight === undefined)) {
    const each = w.runs.length > 1 ? ` (${w.runs.map((u) => pct(1 - u)).join(', ')})` : '';
    rows.push({ figure: `Engine overhead, sweep on ${w.label}`, target: `≤ ${pct(TARGET.overhead, 0)}`, measured: `${pct(w.overhead)}${each}`, ok: w.overhead <= TARGET.overhead });
    const eachU = w.runs.length > 1 ? ` (${w.runs.map((u) => pct(u)).join(', ')})` : '';
    rows.push({ figure: `Slot utilisation, sweep on ${w.label}`, target: `≥ ${pct(TARGET.utilisation, 0)}`, measured: `${pct(w.utilisation)}${eachU}`, ok: w.utilisation >= TARGET.utilisation });
  }
  const actMs = median(r.act.loaded.totalMs);
  rows.push({ figure: 'Extension activation (our code: require + activate, median)', target: `≤ ${TARGET.activationMs} ms`, measured: `${ms(actMs)}${range(r.act.loaded.totalMs)}`, ok: actMs <= TARGET.activationMs });
  const ext = r.build.sizes.extension;
  const web = r.build.sizes.webviewJs + r.build.sizes.webviewCss;
  rows.push({ figure: 'Bundle: dist/extension.js (production)', target: `≤ ${TARGET.extensionKiB} KB`, measured: `${(ext / KIB).toFixed(1)} KiB`, ok: ext <= TARGET.extensionKiB * KIB });
  rows.push({ figure: 'Bundle: webview (webview.js + webview.css, production)', target: `≤ ${TARGET.webviewKiB} KB`, measured: `${(web / KIB).toFixed(1)} KiB`, ok: web <= TARGET.webviewKiB * KIB });
  const h = r.history;
  const historyMs = median(h.warmMs) + median(h.treeMs);
  rows.push({ figure: `History tree, ${h.runs.toLocaleString('en-US')} runs (listing with index + tree items)`, target: `≤ ${TARGET.historyMs} ms`, measured: ms(historyMs), ok: historyMs <= TARGET.historyMs });
  const peak = r.memory.vmHwm ?? r.memory.peakRss;
  rows.push({ figure: `Host memory, peak RSS during a ${r.memory.generate.toLocaleString('en-US')}-request sweep`, target: `≤ ${TARGET.memoryMiB} MB`, measured: `${(peak / MIB).toFixed(0)} MiB`, ok: peak <= TARGET.memoryMiB * MIB });
  if (typeof r.chart === 'string') rows.push({ figure: 'Results → drawn chart in the webview', target: `≤ ${TARGET.chartMs} ms`, measured: r.chart, ok: undefined });
  else {
    const c = median(r.chart.reduced.drawnMs);
    rows.push({ figure: 'Results → drawn chart in the webview (median)', target: `≤ ${TARGET.chartMs} ms`, measured: `${ms(c)}${range(r.chart.reduced.drawnMs)}`, ok: c <= TARGET.chartMs && r.chart.chartOk });
  }

  const header = [
    `Superposition Lab benchmark — ${r.date.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memGiB.toFixed(0)} GiB RAM, ${r.machine.os}, Node ${r.machine.node}`,
    `Server: the Ollama TEST DOUBLE (scripted distributions, not a real model) in its own process, ${LATENCY_MS} ms simulated latency per generate request.`,
  ];
  const details = detailLines(r);
  const okMark = (ok: boolean | undefined) => (ok === undefined ? '–' : ok ? '✓' : '✗');

  // Plain text.
  const cols = ['figure', 'target', 'measured', 'ok'];
  const cells = rows.map((x) => [x.figure, x.target, x.measured, okMark(x.ok)]);
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  const text = [
    ...header,
    '',
    line(cols),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...cells.map(line),
    '',
    ...details.map((d) => (d.startsWith('#') ? `\n${d.replace(/^#+ /, '').toUpperCase()}` : d)),
  ].join('\n');

  // Markdown.
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  const markdown = [
    '<!-- Written by `npm run bench` (bench/run.ts); paste into the README. -->',
    `**${header[0]}**  `,
    `${header[1]}  `,
    header[2],
    '',
    '| figure | target | measured | ok |',
    '|---|---|---|:-:|',
    ...cells.map((row) => `| ${row.map(esc).join(' | ')} |`),
    '',
    ...details.map((d) => (d.startsWith('#') ? `\n${d}\n` : d)),
    '',
  ].join('\n');
  return { text, markdown };
}

function detailLines(r: Results): string[] {
  const s = r.scoring;
  const out: string[] = [];
  out.push('### Definitions and details');
  out.push(
    `- **Trie-node lower bound** (computed from the double's script, independently of the engine): the byte prefixes of the 4 answers reached from the empty prefix through tokens in the top 20 of each node (as the double reports them) that some answer continues past — every exact teacher-forced method must request each of them, since positive mass reaches it and could still spell an answer. Nodes: ${s.boundNodes.map((n) => `\`${JSON.stringify(n)}\``).join(', ')}. The answers' own tokenizations alone give ${s.tokenPathBound} nodes (a weaker bound; the others are reached through distractor tokens such as a trailing space). Requests = generate requests counted by the double during \`scoreAnswers\` (engine's ollamaTokenSource + RequestScheduler, 8 slots).`,
  );
  out.push(
    `- Scoring latency with 8 slots and ${LATENCY_MS} ms per request: ${ms(s.scoringMs)} for ${s.requests} requests, at most ${s.scoringMaxConcurrent} in flight at once; the trie's depth allows ${s.minRounds} sequential rounds (≈ ${ms(s.minRounds * (LATENCY_MS + 1))}).`,
  );
  out.push(`- With \`terminated\` (the line must end after the answer): ${s.terminatedRequests} requests / ${s.terminatedBound} nodes. The whole analysis (scoring + top-K completions): ${s.analysisGenerate} generate requests, ${s.analysisRequests} requests in all (version, tags, show, ps).`);
  out.push(
    `- **Sampling at equal accuracy**: n = 1.96² · p(1−p) / ${HALF_WIDTH}² at the worst measured task probability p = ${s.worstP.toFixed(3)} → n = ${s.samplesNeeded} samples for a 95 % half-width of ±${100 * HALF_WIDTH} points. Teacher-forced values: ${s.probabilities.map((p) => `${JSON.stringify(p.answer)} ${p.p.toFixed(4)} (bounds width ${p.width.toFixed(4)}, truth ${p.truth.toFixed(4)})`).join('; ')}.`,
  );
  if (s.sampling) {
    out.push(`- Check: ${s.samplesNeeded} samples drawn by the engine (sampling method, 8 slots) took ${s.sampling.seconds.toFixed(1)} s; largest |estimate − truth| ${s.sampling.maxError.toFixed(4)}, largest Wilson 95 % half-width ${s.sampling.maxHalfWidth.toFixed(4)} (sampling measures the terminated probability; compared with that truth).`);
  }
  out.push(
    `- **Engine overhead and slot utilisation**: a sweep = runExperiment over generated 4-task number prompts (scaling plan, K = 4, 5 examples per task), configured as the CLI and the extension do (units in flight per host = concurrency = slots; a unit's requests one at a time). Busy slot time is measured in the double's process (min(generate requests in flight, slots), integrated over time). Utilisation U = busy / (slots × wall); engine overhead = (wall − busy / slots) / wall = 1 − U, so the 2 % target means ≥ 98 % utilisation. Each configuration is run twice; the table gives the mean and each run. "Drain" = the end of the sweep after the last unit started (fewer units left than slots).`,
  );
  out.push('');
  out.push('| sweep (mean of runs) | units | generate requests | wall | ideal (requests × latency / slots) | U | U before the drain | drain share | engine CPU / wall | double CPU / wall |');
  out.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const w of r.sweeps) {
    out.push(`| ${w.label} | ${w.units} | ${w.generate} | ${ms(w.wallMs)} | ${ms(w.idealMs)} | ${pct(w.utilisation)} | ${pct(w.steadyUtilisation)} | ${pct(w.drainShare)} | ${pct(w.cpuShare, 0)} | ${pct(w.doubleCpuShare, 0)} |`);
  }
  out.push('');
  const one = r.sweeps.find((w) => w.slotsPerHost === 1 && w.hosts === 1 && w.unitsInFlight === undefined);
  if (one) {
    const i = one.idle;
    out.push(
      `- Where the 1-slot sweep loses time (the slot idle, measured in the double; per run): between two requests of the same unit ${ms(i.betweenMs)} (${i.between} gaps, ${(i.betweenMs / Math.max(1, i.between)).toFixed(2)} ms each, ${pct(i.betweenMs / one.wallMs)} of wall); at unit boundaries, while the engine sends version / tags / show / ps, ${ms(i.boundaryMs)} (${i.boundaries} boundaries, ${(i.boundaryMs / Math.max(1, i.boundaries)).toFixed(1)} ms each, ${pct(i.boundaryMs / one.wallMs)} of wall).`,
    );
  }
  const c = r.client;
  out.push(
    `- Client cost per request (zero-latency double, one request at a time, ${c.requests} requests each): OllamaClient.nextTokens ${c.engine.wallMs.toFixed(2)} ms wall, ${c.engine.cpuMs.toFixed(2)} ms CPU, slot idle ${c.engine.gapMs.toFixed(2)} ms per request; bare node:http ${c.raw.wallMs.toFixed(2)} ms wall, ${c.raw.cpuMs.toFixed(2)} ms CPU, slot idle ${c.raw.gapMs.toFixed(2)} ms.`,
  );
  const diag = r.sweeps.find((w) => w.unitsInFlight !== undefined);
  if (diag) out.push(`- Diagnostic (not the product's configuration): the 8-slot sweep with ${diag.unitsInFlight} units in flight, so the double always has a request queued, reaches U = ${pct(diag.utilisation)} (${pct(diag.steadyUtilisation)} before the drain). On a real Ollama this would interleave more prompts than slots and evict the slots' prompt caches, which the double does not model.`);
  const a = r.act;
  out.push(
    `- **Activation**: dist/extension.js (production build) loaded by plain node with a fake \`vscode\` module (bench/fakeVscode.cjs), one fresh process per sample, ${a.loaded.totalMs.length} samples, medians. With the Node built-ins it uses (node:http, https, crypto, stream, fs) already loaded, as they are in VS Code's extension host: require ${ms(median(a.loaded.requireMs))} + activate(context) ${ms(median(a.loaded.activateMs))}. With nothing loaded: ${ms(median(a.cold.totalMs))}${range(a.cold.totalMs)} (require ${ms(median(a.cold.requireMs))}). ${a.subscriptions} disposables registered. This is our code's part only; VS Code's own extension-host work is not included.`,
  );
  const b = r.build.sizes;
  out.push(`- **Bundles** (\`node esbuild.mjs --production\`, minified, no source maps; 1 KB counted as 1024 bytes): extension.js ${b.extension.toLocaleString('en-US')} B, webview.js ${b.webviewJs.toLocaleString('en-US')} B + webview.css ${b.webviewCss.toLocaleString('en-US')} B = ${(b.webviewJs + b.webviewCss).toLocaleString('en-US')} B, cli.js ${b.cli.toLocaleString('en-US')} B.`);
  const h = r.history;
  out.push(
    `- **History**: ${h.runs.toLocaleString('en-US')} run files (the real 4-task record, ${(h.bytes / h.runs / 1024).toFixed(1)} KiB each, ${h.days} days) in a temp folder. HistoryStore.list() cold (no index.json: every file read, validated, summarised; files in the OS cache) ${ms(h.coldMs)}; warm (index cache, one stat per file) ${ms(median(h.warmMs))}${range(h.warmMs)}; the Experiments tree's mapping (${h.days} day groups, and a TreeItem for each run of the expanded days — the newest, today and yesterday — ${h.treeItems.toLocaleString('en-US')} runs; older days are collapsed until opened) ${ms(median(h.treeMs))}${range(h.treeMs)}, with the fake \`vscode\` module.`,
  );
  const m = r.memory;
  out.push(
    `- **Host memory**: the bundled engine (runExperiment + the experiment record, as the CLI) in a plain-node child process, ${m.units} units, ${m.generate.toLocaleString('en-US')} generate requests (${m.requests.toLocaleString('en-US')} in all) against the double (8 slots, 5 ms latency) in ${m.seconds.toFixed(1)} s: RSS ${(m.rssBefore / MIB).toFixed(0)} MiB before, peak ${(m.peakRss / MIB).toFixed(0)} MiB sampled every 10 ms (kernel VmHWM ${m.vmHwm ? `${(m.vmHwm / MIB).toFixed(0)} MiB` : 'n/a'}), peak heapUsed ${(m.peakHeap / MIB).toFixed(0)} MiB.`,
  );
  if (typeof r.chart === 'string') out.push(`- **Chart**: ${r.chart}.`);
  else {
    const ch = r.chart;
    out.push(
      `- **Chart**: Chromium ${ch.browser} (${ch.executable}), headless; production webview.js + .css in the page the extension builds (buildWebviewHtml, same CSP), stub acquireVsCodeApi; after \`ready\`, window.postMessage of \`showRun\` with the real 4-task record, to the second animation frame after body[data-state] = the run's state (the chart's first frame painted). Each sample a fresh page. Reduced motion (the chart complete in that frame): state set after ${ms(median(ch.reduced.stateMs))}, drawn ${ms(median(ch.reduced.drawnMs))}${range(ch.reduced.drawnMs)}. Default motion: first frame ${ms(median(ch.animated.drawnMs))}, the 250 ms entry animation settled at ${ch.animated.settledMs.length ? ms(median(ch.animated.settledMs)) : 'n/a'}.`,
    );
  }
  out.push(`- Whole benchmark: ${r.seconds.toFixed(0)} s.`);
  return out;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exitCode = 1;
});
