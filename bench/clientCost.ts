/**
 * Diagnosis: the engine's cost per request against a zero-latency double, one request at a time:
 * OllamaClient.nextTokens (the ollama package over guardedFetch over nodeFetch) vs the same
 * request with bare node:http (keep-alive agent, one JSON.parse per line). The difference is what
 * the engine's client adds to every request.
 */
import http from 'node:http';
import { OllamaClient } from '../src/core/ollama/client';
import type { DoubleHost } from './doubles';
import { BENCH_MODEL, fourTaskPrompt } from './scenario';

export interface ClientCost {
  requests: number;
  engine: { wallMs: number; cpuMs: number; gapMs: number };
  raw: { wallMs: number; cpuMs: number; gapMs: number };
}

export async function benchClientCost(host: DoubleHost, requests: number): Promise<ClientCost> {
  const { spec } = fourTaskPrompt();
  const [url] = await host.startDoubles([{ parallel: 1, latencyMs: 0, prompts: [spec] }]);
  const client = new OllamaClient({ host: url!, retries: 0 });
  const prompt = `${spec.prompt}one`;
  const body = JSON.stringify({ model: BENCH_MODEL, prompt, raw: true, think: false, stream: true, options: { num_predict: 1, temperature: 0, seed: 0 }, logprobs: true, top_logprobs: 20 });
  const agent = new http.Agent({ keepAlive: true });
  const rawRequest = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(`${url}/api/generate`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          for (const line of text.split('\n')) if (line) JSON.parse(line);
          resolve();
        });
      });
      req.on('error', reject);
      req.end(body);
    });

  const measure = async (one: () => Promise<unknown>) => {
    for (let i = 0; i < 30; i++) await one(); // warm-up
    await host.reset();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < requests; i++) await one();
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const [stats] = await host.stats();
    return { wallMs: wallMs / requests, cpuMs: (cpu.user + cpu.system) / 1000 / requests, gapMs: (wallMs - stats!.busyMs) / requests };
  };
  // Alternate to spread the machine's noise over both.
  const engineA = await measure(() => client.nextTokens(BENCH_MODEL, prompt, 20));
  const rawA = await measure(rawRequest);
  const engineB = await measure(() => client.nextTokens(BENCH_MODEL, prompt, 20));
  const rawB = await measure(rawRequest);
  agent.destroy();
  const avg = (a: ClientCost['raw'], b: ClientCost['raw']) => ({ wallMs: (a.wallMs + b.wallMs) / 2, cpuMs: (a.cpuMs + b.cpuMs) / 2, gapMs: (a.gapMs + b.gapMs) / 2 });
  return { requests: 2 * requests, engine: avg(engineA, engineB), raw: avg(rawA, rawB) };
}
