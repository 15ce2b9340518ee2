/** The definitions and details under the benchmark's table. */
import { hitRatio } from './cache';
import { median, ms, pct, range, REAL_CACHE } from './format';
import type { Results } from './report';
import { HALF_WIDTH, LATENCY_MS } from './scoring';

const MIB = 1024 * 1024;
const list = (xs: readonly number[]) => xs.map((x) => x.toFixed(4)).join(', ');

function scoringDetails(r: Results): string[] {
  const s = r.scoring;
  const l = r.long;
  const h = r.heavy;
  const out = [
    `- **Trie nodes under the engine's own rule** (bench/scenario.ts trieLowerBound, computed from the double's script): the byte prefixes of the 4 answers reached from the empty prefix through tokens in the top 20 of each node that some answer continues past. This re-implements the rule the engine walks by, so requests / nodes is 1.00× by construction: a consistency check (no duplicate or missing request), not an efficiency figure. Nodes: ${s.boundNodes.map((n) => `\`${JSON.stringify(n)}\``).join(', ')}. **The answers' own token prefixes** (${s.tokenPathBound}) are what any exact walk must request whatever its rule; the engine's extra nodes are reached through distractor tokens (such as a trailing space) that spell a prefix of an answer, which an exact value cannot ignore. Requests = generate requests counted by the double during \`scoreAnswers\` (ollamaTokenSource + RequestScheduler, 8 slots).`,
    `- Scoring latency of the 4-task prompt with 8 slots and ${LATENCY_MS} ms per request: ${ms(s.scoringMs)} for ${s.requests} requests, at most ${s.scoringMaxConcurrent} in flight; token depth ${s.minRounds} (critical path ≈ ${ms(s.minRounds * LATENCY_MS)}).`,
    `- **Long answers**: the 4-task prompt scripted with 256-byte answers (phrases "one hundred and forty ", "cent quarante ", "ciento cuarenta ", "140 " repeated; ${l.answerTokens.join(' / ')} tokens), ${l.slots} slots, ${l.latencyMs} ms per request. A node's request goes out when its parent replies, so the fewest sequential rounds is the token depth (${l.tokenDepth}); critical path = ${l.tokenDepth} × ${l.latencyMs} ms = ${ms(l.criticalPathMs)}; measured ${ms(l.wallMs)} for ${l.requests} requests (${(l.wallMs / l.latencyMs).toFixed(1)} latency periods), at most ${l.maxConcurrent} in flight.`,
    `- With \`terminated\` (the line must end after the answer): ${s.terminatedRequests} requests / ${s.terminatedBound} nodes. The whole analysis (scoring + top-K completions): ${s.analysisGenerate} generate requests, ${s.analysisRequests} requests in all (version, tags, show, ps).`,
    `- **Sampling at equal accuracy**: n = 1.96² · p(1−p) / ${HALF_WIDTH}² at the worst measured task probability p = ${s.worstP.toFixed(3)} → n = ${s.samplesNeeded} samples (one request each) for a 95 % half-width of ±${100 * HALF_WIDTH} points, divided by the requests of the whole default analysis (${s.analysisGenerate}) and of terminated scoring (${s.terminatedRequests}, the probability sampling estimates). Teacher-forced values: ${s.probabilities.map((p) => `${JSON.stringify(p.answer)} ${p.p.toFixed(4)} (bounds width ${p.width.toFixed(4)}, truth ${p.truth.toFixed(4)})`).join('; ')}.`,
  ];
  if (s.sampling) out.push(`- Check: ${s.samplesNeeded} samples drawn by the engine (sampling method, 8 slots) took ${s.sampling.seconds.toFixed(1)} s; largest |estimate − truth| ${s.sampling.maxError.toFixed(4)}, largest Wilson 95 % half-width ${s.sampling.maxHalfWidth.toFixed(4)} (compared with the terminated truth).`);
  out.push(
    `- **Heavy tail**: answer masses 0.06 / 0.03 / 0.02 / 0.01 (terminated truths ${h.answers.map((a) => a.truth.toFixed(4)).join(' / ')}), 400 root distractors with heavy-tailed weights, 10 % of the mass leaking to distractors at every inner node; 8 slots. Teacher forcing (terminated analysis): ${h.teacherForced.requests} requests, interval widths ${list(h.teacherForced.widths)}, largest |estimate − truth| ${h.teacherForced.maxError.toFixed(4)}. Sampling at ±${100 * h.halfWidth} points for the worst p = ${h.worstP.toFixed(3)}: ${h.samples} samples (${h.sampling.requests} requests, ${h.sampling.seconds.toFixed(1)} s), Wilson widths ${list(h.sampling.widths)}, largest |estimate − truth| ${h.sampling.maxError.toFixed(4)}.`,
  );
  return out;
}

function cacheDetails(r: Results): string[] {
  const c = r.cache;
  const fig = (f: typeof c.cold) => `${f.cachedPromptTokens} of ${f.promptTokens} prompt tokens from the cache over ${f.requests} requests`;
  return [
    `- **Prompt cache** (the double's per-slot cache, test/double/promptCache.ts, after Ollama's runner: a request takes the free slot with the longest common token prefix and evaluates the rest, at least one token; the cost model adds ${r.sweeps[0]?.uncachedTokenMs ?? 0} ms per evaluated token). Hit ratio = prompt tokens served from a slot / prompt tokens (toy tokenizer). One 4-task analysis (${c.promptTokens}-token prompt, 1 slot, concurrency 1, the product's defaults): prompt evaluated just before, as in the real-model figure (${REAL_CACHE}, 449 Gemma tokens, 53 requests) ${pct(hitRatio(c.warm))} (${fig(c.warm)}); from a cold cache ${pct(hitRatio(c.cold))} (${fig(c.cold)}). With few requests per prompt the first, cold evaluation dominates: the ratio is bounded by about 1 − 1 / requests.`,
    `- Sweeps: each unit's first request evaluates its new prompt, so 1 slot reaches about 1 − 1 / (requests per unit). With several slots, Ollama's rule (findLongestCacheSlot, single-user mode, which the double follows) gives a request whose own slot is in use the first free slot in slot order — another unit's slot, which displaces that unit in turn; units moving in step keep the cascade going. With two requests in flight per unit (883a187, undone by a029659) a unit's second request took another unit's slot: a 2-slot sweep fell from 93 % to 43 % on the double (test/unit/doubleCacheProduct.test.ts). New units also take the first free slot rather than the finished unit's. OLLAMA_MULTIUSER_CACHE (findBestCacheSlot) is not modelled. With more units in flight than slots (the diagnostic row): ${r.sweeps.filter((w) => w.unitsInFlight !== undefined).map((w) => pct(hitRatio(w))).join(', ')}.`,
  ];
}

function sweepDetails(r: Results): string[] {
  const out = [
    `- **Slot utilisation and engine overhead**: a sweep = runExperiment over generated 4-task number prompts (scaling plan, K = 4, 5 examples per task), configured as the CLI and the extension do (units in flight per host = concurrency = slots; a unit's requests one at a time). Busy slot time is the double's own accounting (OllamaDouble.slotBusyMs: slots held by generate requests, integrated over time). U = busy / (slots × wall). Steady state = from the start until the last unit starts; the drain = the rest (fewer units than slots left), reported separately. Engine CPU per request = process.cpuUsage() of the engine (client) process over the sweep / its HTTP requests. Each configuration is run twice; the table gives the mean and each run.`,
    '',
    '| sweep (mean of runs) | units | generate requests | wall | busy / slots | U | U steady state | drain share | prompt-cache hits | engine CPU / request | engine CPU / wall | double CPU / wall |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const w of r.sweeps) {
    out.push(`| ${w.label} | ${w.units} | ${w.generate} | ${ms(w.wallMs)} | ${ms(w.idealMs)} | ${pct(w.utilisation)} | ${pct(w.steadyUtilisation)} | ${pct(w.drainShare)} | ${pct(hitRatio(w))} | ${w.cpuPerRequestMs.toFixed(2)} ms | ${pct(w.cpuShare, 0)} | ${pct(w.doubleCpuShare, 0)} |`);
  }
  out.push('');
  const one = r.sweeps.find((w) => w.slotsPerHost === 1 && w.hosts === 1 && w.unitsInFlight === undefined);
  if (one) {
    const i = one.idle;
    out.push(`- Where the 1-slot sweep loses time (the slot idle; per run): between two requests of the same unit ${ms(i.betweenMs)} (${i.between} gaps, ${(i.betweenMs / Math.max(1, i.between)).toFixed(2)} ms each, ${pct(i.betweenMs / one.wallMs)} of wall); at unit boundaries, while the engine sends version / tags / show / ps, ${ms(i.boundaryMs)} (${i.boundaries} boundaries, ${pct(i.boundaryMs / one.wallMs)} of wall).`);
  }
  const c = r.client;
  out.push(`- Client cost per request (zero-latency double, one request at a time, ${c.requests} requests each): OllamaClient.nextTokens ${c.engine.wallMs.toFixed(2)} ms wall, ${c.engine.cpuMs.toFixed(2)} ms CPU, slot idle ${c.engine.gapMs.toFixed(2)} ms per request; bare node:http ${c.raw.wallMs.toFixed(2)} ms wall, ${c.raw.cpuMs.toFixed(2)} ms CPU, slot idle ${c.raw.gapMs.toFixed(2)} ms.`);
  const diag = r.sweeps.find((w) => w.unitsInFlight !== undefined);
  if (diag) out.push(`- Diagnostic (not the product's configuration): the 8-slot sweep with ${diag.unitsInFlight} units in flight, so the double always has a request queued: U = ${pct(diag.utilisation)} (${pct(diag.steadyUtilisation)} steady state), but the prompts evict each other's cache slots (hit ratio ${pct(hitRatio(diag))}), which on a real server costs far more than the idle time saved.`);
  return out;
}

function productDetails(r: Results): string[] {
  const a = r.act;
  const b = r.build.sizes;
  const h = r.history;
  const m = r.memory;
  const out = [
    `- **Activation**: dist/extension.js (production build) loaded by plain node with a fake \`vscode\` module (bench/fakeVscode.cjs), one fresh process per sample, ${a.loaded.totalMs.length} samples, medians. With the Node built-ins it uses already loaded, as in VS Code's extension host: require ${ms(median(a.loaded.requireMs))} + activate(context) ${ms(median(a.loaded.activateMs))}; then the deferred engine load (the first command, *Refresh History*: the workbench module with the parsers, tasks, zod schemas and Ollama client, and createWorkbench) ${ms(median(a.loaded.deferredMs))}${range(a.loaded.deferredMs)}. It runs on the first command, view or restored panel, or 1.5 s after start-up, off VS Code's activation path. With nothing loaded: ${ms(median(a.cold.totalMs))}${range(a.cold.totalMs)} + ${ms(median(a.cold.deferredMs))}. ${a.subscriptions} disposables registered. VS Code's own extension-host work is not included.`,
    `- **Bundles** (\`node esbuild.mjs --production\`, minified, no source maps; 1 KB counted as 1024 bytes): extension.js ${b.extension.toLocaleString('en-US')} B, webview.js ${b.webviewJs.toLocaleString('en-US')} B + webview.css ${b.webviewCss.toLocaleString('en-US')} B = ${(b.webviewJs + b.webviewCss).toLocaleString('en-US')} B, cli.js ${b.cli.toLocaleString('en-US')} B.`,
    `- **History**: ${h.runs.toLocaleString('en-US')} run files (${(h.bytes / h.runs / 1024).toFixed(1)} KiB each, ${h.days} days). Cold (no index.json, every file read 48 at a time) ${ms(h.coldMs)}; re-list by the store holding the listing (one stat per file, nothing read) ${ms(median(h.warmMs))}${range(h.warmMs)}; a new store with index.json ${ms(median(h.indexMs))}${range(h.indexMs)}; in memory ${ms(median(h.memoryMs))}; save ${h.saveMs.toFixed(2)} ms/run, index write ${ms(h.indexWriteMs)} (not flushed); longest event-loop block: cold ${ms(h.blockMs.cold)}, index ${ms(h.blockMs.index)}, re-list ${ms(h.blockMs.warm)}, save ${ms(h.blockMs.save)}, index write ${ms(h.blockMs.indexWrite)}; the Experiments tree's mapping (${h.treeItems.toLocaleString('en-US')} runs of the expanded days) ${ms(median(h.treeMs))}${range(h.treeMs)}. \`node --import tsx bench/history.ts 10000 100000\` gives the 100 000-run figures (not part of this run).`,
    `- **Experiment progress** (bench/progress.ts): per finished prompt the extension host updates the prompt's aggregate row (running moments), builds the delta (the new unit and that row) and serialises it as postMessage does; the webview validates and merges it. One post per prompt here (the worst case: posts are throttled to 4 a second). Before: the whole record rebuilt, serialised (and validated by the webview) after every prompt. Webview per post: ${r.progress.map((p) => p.webviewUs.toFixed(0)).join(' / ')} µs. Engine: answers scored with an instant fake client, so only the scheduler, token source and trie walk remain; main-thread time (event-loop utilisation), because process CPU adds the GC's helper threads, whose work grows with the request text (prompt + prefix) that the HTTP body needs anyway. Cancel: a 2-unit-at-a-time scaling sweep on the double, aborted after the second unit.`,
    `- **Host memory**: the bundled engine (runExperiment + the experiment record, as the CLI) in a plain-node child process, ${m.units} units, ${m.generate.toLocaleString('en-US')} generate requests against the double (8 slots, 5 ms latency) in ${m.seconds.toFixed(1)} s: RSS ${(m.rssBefore / MIB).toFixed(0)} MiB before, peak ${(m.peakRss / MIB).toFixed(0)} MiB (kernel VmHWM ${m.vmHwm ? `${(m.vmHwm / MIB).toFixed(0)} MiB` : 'n/a'}), peak heapUsed ${(m.peakHeap / MIB).toFixed(0)} MiB.`,
  ];
  if (typeof r.chart === 'string') out.push(`- **Chart**: ${r.chart}.`);
  else {
    const ch = r.chart;
    out.push(`- **Chart**: Chromium ${ch.browser}, headless; production webview.js + .css in the page the extension builds (same CSP); after \`ready\`, \`showRun\` with the real 4-task record, to the second animation frame after body[data-state] is set. Each sample a fresh page. Reduced motion: state set after ${ms(median(ch.reduced.stateMs))}, drawn ${ms(median(ch.reduced.drawnMs))}${range(ch.reduced.drawnMs)}. Default motion: first frame ${ms(median(ch.animated.drawnMs))}, the entry animation settled at ${ch.animated.settledMs.length ? ms(median(ch.animated.settledMs)) : 'n/a'}.`);
  }
  out.push(`- Whole benchmark: ${r.seconds.toFixed(0)} s.`);
  return out;
}

export function detailLines(r: Results): string[] {
  return ['### Definitions and details', ...scoringDetails(r), ...cacheDetails(r), ...sweepDetails(r), ...productDetails(r)];
}
