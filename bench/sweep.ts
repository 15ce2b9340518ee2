/**
 * Engine overhead and slot utilisation on a sweep: runExperiment over generated 4-task prompts,
 * configured as the CLI and the extension configure it (units in flight per host = the
 * concurrency setting = the server's slots; each unit's own requests one at a time).
 *
 *   utilisation U = busy slot time (the double's own accounting) / (slots × wall)
 *   steady state = until the last unit has started; drain = the rest (fewer units than slots left)
 *   engine CPU per request = the engine process's CPU time (user + system) / HTTP requests
 *   cache-hit ratio = prompt tokens served from the double's per-slot caches / prompt tokens
 */
import { runExperiment } from '../src/core/experiments/runner';
import { OllamaClient } from '../src/core/ollama/client';
import { absoluteNow, type DoubleHost } from './doubles';
import type { IdleSplit } from './doubleHost';
import { sweepUnits } from './scenario';

export interface SweepConfig {
  label: string;
  hosts: number;
  slotsPerHost: number;
  prompts: number;
  latencyMs: number;
  /** The double's cost model: ms per prompt token not served from the cache. */
  uncachedTokenMs: number;
  /** Units in flight per host (default: slotsPerHost, as the CLI and the extension set it). */
  unitsInFlight?: number;
}

export interface SweepResult extends SweepConfig {
  units: number;
  generate: number;
  /** Every HTTP request (version, tags, show, ps included). */
  requests: number;
  wallMs: number;
  busyMs: number;
  utilisation: number;
  overhead: number;
  /** Utilisation before the drain, and the drain's share of the wall time. */
  steadyUtilisation: number;
  drainShare: number;
  /** busy slot time / slots: the wall time with no idle slot. */
  idealMs: number;
  /** Engine CPU time per HTTP request, ms. */
  cpuPerRequestMs: number;
  promptTokens: number;
  cachedPromptTokens: number;
  /** Engine process CPU time (user + system) / wall. */
  cpuShare: number;
  /** Double host process CPU time / wall. */
  doubleCpuShare: number;
  maxConcurrent: number;
  /** Idle periods of the slot, summed over hosts (1-slot configurations). */
  idle: IdleSplit;
}

export async function runSweep(host: DoubleHost, config: SweepConfig): Promise<SweepResult> {
  const { units, specs } = sweepUnits(config.prompts);
  const urls = await host.startDoubles(Array.from({ length: config.hosts }, () => ({ parallel: config.slotsPerHost, latencyMs: config.latencyMs, uncachedTokenMs: config.uncachedTokenMs, prompts: specs })));
  const clients = urls.map((url) => new OllamaClient({ host: url, retries: 0 }));
  const concurrency = config.unitsInFlight ?? config.slotsPerHost;
  const workers = config.hosts * concurrency;
  // Warm-up: connections, JIT, the double's model load (not measured).
  await runExperiment(units.slice(0, Math.min(units.length, workers)), { clients, concurrency });
  await host.reset();
  let finished = 0;
  const cpu0 = process.cpuUsage();
  const start = absoluteNow();
  // The last unit starts when unit (N − workers) finishes: from then on fewer units than workers remain.
  let drainStart = units.length <= workers ? start : Number.NaN;
  const run = await runExperiment(units, {
    clients,
    concurrency,
    onUnit: () => {
      finished++;
      if (finished === units.length - workers) drainStart = absoluteNow();
    },
  });
  const end = absoluteNow();
  const cpu = process.cpuUsage(cpu0);
  const { doubles: stats, cpuMs: doubleCpuMs } = await host.statsWithCpu([[start, drainStart]]);
  if (run.status !== 'complete') throw new Error(`sweep ${config.label} ${run.status}: ${run.error?.message}`);
  const wallMs = end - start;
  const slots = config.hosts * config.slotsPerHost;
  const busyMs = stats.reduce((a, s) => a + s.busyMs, 0);
  const steadyBusy = stats.reduce((a, s) => a + (s.windowBusyMs[0] ?? 0), 0);
  const steadyMs = drainStart - start;
  const generate = stats.reduce((a, s) => a + s.counters.generate, 0);
  const requests = stats.reduce((a, s) => a + s.counters.requests, 0);
  const idle = stats.reduce<IdleSplit>(
    (a, s) => ({ boundaryMs: a.boundaryMs + s.idle.boundaryMs, boundaries: a.boundaries + s.idle.boundaries, betweenMs: a.betweenMs + s.idle.betweenMs, between: a.between + s.idle.between }),
    { boundaryMs: 0, boundaries: 0, betweenMs: 0, between: 0 },
  );
  return {
    ...config,
    units: units.length,
    generate,
    requests,
    wallMs,
    busyMs,
    utilisation: busyMs / (slots * wallMs),
    overhead: (wallMs - busyMs / slots) / wallMs,
    steadyUtilisation: steadyMs > 0 ? steadyBusy / (slots * steadyMs) : Number.NaN,
    drainShare: (end - drainStart) / wallMs,
    idealMs: busyMs / slots,
    cpuPerRequestMs: (cpu.user + cpu.system) / 1000 / requests,
    promptTokens: stats.reduce((a, s) => a + s.counters.promptTokens, 0),
    cachedPromptTokens: stats.reduce((a, s) => a + s.counters.cachedPromptTokens, 0),
    cpuShare: (cpu.user + cpu.system) / 1000 / wallMs,
    doubleCpuShare: doubleCpuMs / wallMs,
    maxConcurrent: Math.max(...stats.map((s) => s.counters.maxConcurrent)),
    idle,
  };
}
