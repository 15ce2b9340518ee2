/** Host memory during a ~5 000-request sweep: the bundled engine in a plain-node child process. */
import { spawn } from 'node:child_process';
import type { DoubleHost } from './doubles';
import { sweepUnits } from './scenario';

export interface MemoryResult {
  units: number;
  generate: number;
  requests: number;
  seconds: number;
  rssBefore: number;
  peakRss: number;
  peakHeap: number;
  vmHwm?: number;
}

export async function benchMemory(host: DoubleHost, bundle: string, prompts: number, slots: number, latencyMs: number): Promise<MemoryResult> {
  const { specs } = sweepUnits(prompts);
  const [url] = await host.startDoubles([{ parallel: slots, latencyMs, prompts: specs }]);
  await host.reset();
  const child = spawn(process.execPath, ['--expose-gc', bundle, String(prompts), String(slots), url!], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`memory child exited ${code}: ${err}`);
  const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Omit<MemoryResult, 'generate'> & { status: string };
  if (result.status !== 'complete') throw new Error(`memory sweep ${result.status}`);
  const [stats] = await host.stats();
  return { ...result, generate: stats!.counters.generate };
}
