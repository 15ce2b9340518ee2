/** The benchmark's table (figure | target | measured | ok) and the definitions behind it, as text and Markdown. */
import type { ProductionBuild } from './build';
import { hitRatio, type AnalysisCache } from './cache';
import type { ChartResult } from './chart';
import type { ClientCost } from './clientCost';
import { detailLines } from './details';
import { median, ms, pct, range, REAL_CACHE } from './format';
import type { HeavyTailResult } from './heavyTail';
import type { HistoryResult } from './history';
import { LONG_BYTES, type LongAnswerResult } from './longAnswers';
import type { MemoryResult } from './memory';
import type { EngineCost, ProgressCost } from './progress';
import { HALF_WIDTH, LATENCY_MS, type ScoringResult } from './scoring';
import type { SweepResult } from './sweep';

export const TARGET = {
  criticalPathRatio: 1.2,
  samplingRatio: 20,
  cacheAnalysis: 0.95,
  cacheSweep: 0.9,
  steadyUtilisation8: 0.97,
  steadyUtilisation: 0.9,
  /** Engine CPU per request, as a share of one request's latency. */
  cpuShareOfLatency: 0.02,
  activationMs: 50,
  extensionKiB: 250,
  webviewKiB: 330,
  historyMs: 200,
  historyColdMs: 1000,
  blockMs: 16,
  cancelMs: 1000,
  /** Extension-host CPU per finished prompt: at 10 000 prompts at most this many times the figure at 100. */
  progressGrowth: 2,
  memoryMiB: 150,
  chartMs: 300,
};
const KIB = 1024;
const MIB = 1024 * 1024;
export interface ActivationSamples {
  totalMs: number[];
  requireMs: number[];
  activateMs: number[];
  deferredMs: number[];
}

export type CombinedSweep = SweepResult & { runs: number[]; steadyRuns: number[] };

export interface Results {
  date: Date;
  machine: { cpu: string; cores: number; memGiB: number; os: string; node: string };
  build: ProductionBuild;
  act: { loaded: ActivationSamples; cold: ActivationSamples; subscriptions: number };
  scoring: ScoringResult;
  long: LongAnswerResult;
  heavy: HeavyTailResult;
  cache: AnalysisCache;
  sweeps: CombinedSweep[];
  client: ClientCost;
  memory: MemoryResult;
  history: HistoryResult;
  progress: ProgressCost[];
  engine: EngineCost[];
  cancel: { latencyMs: number; cancelMs: number };
  chart: ChartResult | string;
  seconds: number;
  note: string;
}

interface Row {
  figure: string;
  target: string;
  measured: string;
  ok: boolean | undefined;
}

function scoringRows(r: Results): Row[] {
  const s = r.scoring;
  const l = r.long;
  const h = r.heavy;
  const tokenRatio = s.requests / s.tokenPathBound;
  const critical = l.wallMs / l.criticalPathMs;
  const whole = s.samplesNeeded / s.analysisGenerate;
  const term = s.samplesNeeded / s.terminatedRequests;
  const heavyRatio = h.samples / h.teacherForced.requests;
  return [
    { figure: 'Teacher-forced scoring, 4-task prompt: requests / nodes under the engine\'s own rule (re-implemented from the script: a consistency check)', target: '1.00× by construction', measured: `${s.requests} / ${s.bound} = ${(s.requests / s.bound).toFixed(2)}×`, ok: s.requests === s.bound },
    { figure: 'Teacher-forced scoring, 4-task prompt: requests / the answers\' own token prefixes (beside it; the extra nodes are answer prefixes reached through other tokens, which an exact value must walk)', target: '—', measured: `${s.requests} / ${s.tokenPathBound} = ${tokenRatio.toFixed(2)}×`, ok: undefined },
    { figure: `Long answers (4 × ${LONG_BYTES} bytes), ${l.slots} slots × ${l.latencyMs} ms: wall / critical path (token depth ${l.tokenDepth} × ${l.latencyMs} ms)`, target: `≤ ${TARGET.criticalPathRatio}×`, measured: `${ms(l.wallMs)} / ${ms(l.criticalPathMs)} = ${critical.toFixed(2)}×`, ok: critical <= TARGET.criticalPathRatio },
    { figure: 'Long answers: requests / the answers\' own token prefixes', target: '—', measured: `${l.requests} / ${l.tokenPathNodes} = ${(l.requests / l.tokenPathNodes).toFixed(2)}× (engine's rule: ${l.engineRuleNodes})`, ok: undefined },
    { figure: `Sampling at equal accuracy (±${100 * HALF_WIDTH} points, 95 %) / the whole analysis's requests (scoring + top-K completions)`, target: `≥ ${TARGET.samplingRatio}× fewer`, measured: `${s.samplesNeeded} / ${s.analysisGenerate} = ${whole.toFixed(0)}× fewer`, ok: whole >= TARGET.samplingRatio },
    { figure: 'Sampling at equal accuracy / terminated scoring\'s requests (the probability sampling measures)', target: `≥ ${TARGET.samplingRatio}× fewer`, measured: `${s.samplesNeeded} / ${s.terminatedRequests} = ${term.toFixed(0)}× fewer`, ok: term >= TARGET.samplingRatio },
    { figure: 'Heavy tail (answers 0.06–0.01, 400 distractors, 10 % inner leak): sampling at ±2 points / terminated teacher-forced analysis', target: `≥ ${TARGET.samplingRatio}× fewer`, measured: `${h.samples} / ${h.teacherForced.requests} = ${heavyRatio.toFixed(0)}× fewer; widest interval TF ${Math.max(...h.teacherForced.widths).toFixed(4)} vs sampling ${Math.max(...h.sampling.widths).toFixed(4)}`, ok: heavyRatio >= TARGET.samplingRatio },
  ];
}

function cacheRows(r: Results): Row[] {
  const c = r.cache;
  const rows: Row[] = [
    { figure: `Prompt-cache hit ratio, one 4-task analysis on the double (1 slot, prompt cached before, as the real figure ${REAL_CACHE})`, target: `≥ ${pct(TARGET.cacheAnalysis, 0)}`, measured: `${pct(hitRatio(c.warm))} (cold start: ${pct(hitRatio(c.cold))}); real Ollama: ${REAL_CACHE}`, ok: hitRatio(c.warm) >= TARGET.cacheAnalysis },
  ];
  for (const w of r.sweeps) {
    const diag = w.unitsInFlight !== undefined;
    rows.push({ figure: `Prompt-cache hit ratio, sweep on ${w.label}`, target: diag ? '— (diagnostic)' : `≥ ${pct(TARGET.cacheSweep, 0)}`, measured: pct(hitRatio(w)), ok: diag ? undefined : hitRatio(w) >= TARGET.cacheSweep });
  }
  return rows;
}

function sweepRows(r: Results): Row[] {
  const rows: Row[] = [];
  const cpuTarget = TARGET.cpuShareOfLatency * LATENCY_MS;
  for (const w of r.sweeps.filter((x) => x.unitsInFlight === undefined)) {
    const target = w.slotsPerHost * w.hosts === 8 && w.hosts === 1 ? TARGET.steadyUtilisation8 : TARGET.steadyUtilisation;
    const each = w.steadyRuns.length > 1 ? ` (${w.steadyRuns.map((u) => pct(u)).join(', ')})` : '';
    rows.push({ figure: `Slot utilisation, steady state (until the last unit starts), sweep on ${w.label} × ${w.latencyMs} ms`, target: `≥ ${pct(target, 0)}`, measured: `${pct(w.steadyUtilisation)}${each}`, ok: w.steadyUtilisation >= target });
    rows.push({ figure: `End-of-sweep drain, ${w.label}: share of wall / utilisation over the whole sweep`, target: '—', measured: `${pct(w.drainShare)} / ${pct(w.utilisation)}`, ok: undefined });
    rows.push({ figure: `Engine CPU per request (overhead), sweep on ${w.label}`, target: `≤ ${cpuTarget.toFixed(1)} ms (${pct(TARGET.cpuShareOfLatency, 0)} of ${LATENCY_MS} ms)`, measured: `${w.cpuPerRequestMs.toFixed(2)} ms`, ok: w.cpuPerRequestMs <= cpuTarget });
  }
  return rows;
}

function progressRows(r: Results): Row[] {
  const at = (n: number) => r.progress.find((p) => p.prompts === n);
  const p100 = at(100);
  const p10k = at(10_000);
  const growth = p100 && p10k ? p10k.hostUs / p100.hostUs : Number.NaN;
  const host = r.progress.map((p) => `${p.hostUs.toFixed(0)}`).join(' / ');
  const old = r.progress.filter((p) => p.oldHostUs !== undefined).map((p) => `${p.oldHostUs!.toFixed(0)}`).join(' / ');
  const [short, long] = r.engine;
  const engineGrowth = short && long ? long.cpuUsPerRequest / short.cpuUsPerRequest : Number.NaN;
  return [
    { figure: `Experiment progress: extension-host CPU per finished prompt at ${r.progress.map((p) => p.prompts.toLocaleString('en-US')).join(' / ')} prompts (µs)`, target: 'constant (10 000 ≤ 2 × 100)', measured: `${host} µs; ${p10k?.bytesPerPost.toFixed(0) ?? '?'} B per post; before (whole record per prompt): ${old} µs`, ok: growth <= TARGET.progressGrowth },
    { figure: `Cancel → experiment ended (units with ${r.cancel.latencyMs} ms requests in flight)`, target: `≤ ${TARGET.cancelMs} ms`, measured: ms(r.cancel.cancelMs), ok: r.cancel.cancelMs <= TARGET.cancelMs },
    { figure: `Scheduler: characters compared per request to pick the next one, ${short?.promptChars.toLocaleString('en-US')}- vs ${long?.promptChars.toLocaleString('en-US')}-character prompt`, target: 'independent of prompt length', measured: `${short?.comparedPerRequest.toFixed(0)} vs ${long?.comparedPerRequest.toFixed(0)}`, ok: short !== undefined && long !== undefined && long.comparedPerRequest === short.comparedPerRequest },
    { figure: 'Engine main-thread time per request (scheduler + token source + trie walk; instant fake client), same two prompts', target: '— (see details)', measured: `${short?.cpuUsPerRequest.toFixed(0)} µs vs ${long?.cpuUsPerRequest.toFixed(0)} µs = ${engineGrowth.toFixed(2)}×`, ok: undefined },
  ];
}

function productRows(r: Results): Row[] {
  const rows: Row[] = [];
  const actMs = median(r.act.loaded.totalMs);
  const withEngine = r.act.loaded.totalMs.map((t, i) => t + (r.act.loaded.deferredMs[i] ?? 0));
  const engineMs = median(withEngine);
  rows.push({ figure: 'Extension activation (our code: require + activate, median)', target: `≤ ${TARGET.activationMs} ms`, measured: `${ms(actMs)}${range(r.act.loaded.totalMs)}`, ok: actMs <= TARGET.activationMs });
  rows.push({ figure: 'Extension activation + the deferred engine load (first command, or 1.5 s after start-up; off the activation path), median', target: '— (measured)', measured: `${ms(engineMs)}${range(withEngine)}`, ok: undefined });
  const ext = r.build.sizes.extension;
  const web = r.build.sizes.webviewJs + r.build.sizes.webviewCss;
  rows.push({ figure: 'Bundle: dist/extension.js (production)', target: `≤ ${TARGET.extensionKiB} KB`, measured: `${(ext / KIB).toFixed(1)} KiB`, ok: ext <= TARGET.extensionKiB * KIB });
  rows.push({ figure: 'Bundle: webview (webview.js + webview.css, production)', target: `≤ ${TARGET.webviewKiB} KB`, measured: `${(web / KIB).toFixed(1)} KiB`, ok: web <= TARGET.webviewKiB * KIB });
  const h = r.history;
  const historyMs = median(h.warmMs) + median(h.treeMs);
  rows.push({ figure: `History tree, ${h.runs.toLocaleString('en-US')} runs (re-list by the store holding the listing + tree items)`, target: `≤ ${TARGET.historyMs} ms`, measured: ms(historyMs), ok: historyMs <= TARGET.historyMs });
  rows.push({ figure: `History, ${h.runs.toLocaleString('en-US')} runs: cold listing (no index.json: every file read, after a clone or pull)`, target: `≤ ${TARGET.historyColdMs} ms`, measured: ms(h.coldMs), ok: h.coldMs <= TARGET.historyColdMs });
  const block = Math.max(h.blockMs.cold, h.blockMs.index, h.blockMs.warm, h.blockMs.save, h.blockMs.indexWrite, h.blockMs.tree);
  rows.push({ figure: `History, ${h.runs.toLocaleString('en-US')} runs: longest event-loop block (cold / index / re-list / save / index write / tree)`, target: `≤ ${TARGET.blockMs} ms`, measured: `${ms(block)} (${[h.blockMs.cold, h.blockMs.index, h.blockMs.warm, h.blockMs.save, h.blockMs.indexWrite, h.blockMs.tree].map((b) => b.toFixed(1)).join(' / ')})`, ok: block <= TARGET.blockMs });
  rows.push({ figure: 'History: save() per run into the listed folder (the listing patched, no re-list)', target: 'O(1)', measured: `${h.saveMs.toFixed(2)} ms`, ok: undefined });
  const peak = r.memory.vmHwm ?? r.memory.peakRss;
  rows.push({ figure: `Host memory, peak RSS during a ${r.memory.generate.toLocaleString('en-US')}-request sweep`, target: `≤ ${TARGET.memoryMiB} MB`, measured: `${(peak / MIB).toFixed(0)} MiB`, ok: peak <= TARGET.memoryMiB * MIB });
  if (typeof r.chart === 'string') rows.push({ figure: 'Results → drawn chart in the webview', target: `≤ ${TARGET.chartMs} ms`, measured: r.chart, ok: undefined });
  else {
    const c = median(r.chart.reduced.drawnMs);
    rows.push({ figure: 'Results → drawn chart in the webview (median)', target: `≤ ${TARGET.chartMs} ms`, measured: `${ms(c)}${range(r.chart.reduced.drawnMs)}`, ok: c <= TARGET.chartMs && r.chart.chartOk });
  }
  return rows;
}

export function buildReport(r: Results): { text: string; markdown: string } {
  const rows = [...scoringRows(r), ...cacheRows(r), ...sweepRows(r), ...progressRows(r), ...productRows(r)];
  const header = [
    `Superposition Lab benchmark — ${r.date.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memGiB.toFixed(0)} GiB RAM, ${r.machine.os}, Node ${r.machine.node}${r.note ? `. ${r.note}` : ''}`,
    `Server: the Ollama TEST DOUBLE (scripted distributions, not a real model) in its own process, ${LATENCY_MS} ms simulated latency per generate request.`,
  ];
  const details = detailLines(r);
  const okMark = (ok: boolean | undefined) => (ok === undefined ? '–' : ok ? '✓' : '✗');
  const cells = rows.map((x) => [x.figure, x.target, x.measured, okMark(x.ok)]);

  const cols = ['figure', 'target', 'measured', 'ok'];
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
