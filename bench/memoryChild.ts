/**
 * Host memory during a sweep (bundled by bench/build.ts and run on plain node as a child process).
 * Runs runExperiment over generated 4-task prompts against the doubles whose URLs it is given,
 * builds the experiment record as the CLI does, and reports the peak of process.memoryUsage()
 * (sampled every 10 ms) and the kernel's peak RSS (VmHWM).
 *
 *   node memoryChild.js <prompts> <unitsInFlight> <url>...   → prints one JSON line on stdout
 */
import { readFileSync } from 'node:fs';
import { buildExperimentRecord } from '../src/core/experiments/record';
import { runExperiment } from '../src/core/experiments/runner';
import { OllamaClient } from '../src/core/ollama/client';
import { sweepUnits } from './scenario';

function vmHwmBytes(): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const [promptsArg, inFlightArg, ...urls] = process.argv.slice(2);
  const prompts = Number(promptsArg);
  const inFlight = Number(inFlightArg);
  const { plan, units } = sweepUnits(prompts);
  const clients = urls.map((host) => new OllamaClient({ host, retries: 0 }));
  global.gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  let peakHeap = before.heapUsed;
  const sample = () => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const timer = setInterval(sample, 10);
  const started = performance.now();
  const run = await runExperiment(units, { clients, concurrency: inFlight });
  const record = buildExperimentRecord(plan, run, { unitCount: units.length });
  JSON.stringify(record);
  sample();
  clearInterval(timer);
  const out = {
    status: run.status,
    units: units.length,
    requests: run.requests,
    seconds: (performance.now() - started) / 1000,
    rssBefore: before.rss,
    heapBefore: before.heapUsed,
    peakRss,
    peakHeap,
    vmHwm: vmHwmBytes(),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
