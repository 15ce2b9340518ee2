/**
 * Child process hosting Ollama TEST DOUBLES for the benchmark, so the double's own CPU work does not
 * run on the engine's event loop (and its memory does not count as the engine's).
 *
 * BUSY SLOT TIME is the double's own accounting (OllamaDouble.slotBusyMs: slots held, integrated
 * over time, in absolute times comparable across processes), so it can be asked for any window.
 * Besides, Node's built-in diagnostics channels report every HTTP request to the double, so the
 * idle periods of a 1-slot double can be classified: idle while the client sent other requests
 * (version, tags, show, ps: unit boundaries) or not (between two requests of the same unit).
 *
 * IPC protocol (process.send / on('message')):
 *   → { type: 'start', doubles: [{ parallel, latencyMs, uncachedTokenMs?, prompts: PromptSpec[] }] }  ← { type: 'started', urls }
 *   → { type: 'reset' }  ← { type: 'reset' }           (counters, request logs and busy time to zero)
 *   → { type: 'stats', windows?: [from, to][] }
 *   ← { type: 'stats', cpuMs, doubles: [{ counters, busyMs, slots, inFlight, windowBusyMs, idle }] }
 *   → { type: 'stop' }   ← { type: 'stopped' }          (closes every double)
 */
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { scriptFromAnswers, startOllamaDouble, type OllamaDouble } from '../test/double/index';
import { BENCH_MODEL, type PromptSpec } from './scenario';

const now = () => performance.timeOrigin + performance.now();

interface Tracked {
  double: OllamaDouble;
  slots: number;
  inFlight: number;
  /** (time, generate requests in flight after the change) */
  events: Array<[number, number]>;
  /** Arrival times of other requests (version, tags, show, ps). */
  control: number[];
  since: number;
}

export interface IdleSplit {
  /** Idle slot time while other requests were sent (unit boundaries), and how many such periods. */
  boundaryMs: number;
  boundaries: number;
  /** Idle slot time between two generate requests with nothing else in between. */
  betweenMs: number;
  between: number;
}

const byPort = new Map<number, Tracked>();
let doubles: Tracked[] = [];
let cpuAtReset = process.cpuUsage();

subscribe('http.server.request.start', (message) => {
  const { request, response, server } = message as { request: IncomingMessage; response: ServerResponse; server: Server };
  const port = (server.address() as AddressInfo | null)?.port;
  const t = port !== undefined ? byPort.get(port) : undefined;
  if (!t) return;
  if (request.method !== 'POST' || !request.url?.startsWith('/api/generate')) {
    t.control.push(now());
    return;
  }
  t.inFlight++;
  t.events.push([now(), t.inFlight]);
  response.once('close', () => {
    t.inFlight--;
    t.events.push([now(), t.inFlight]);
  });
});

/** Idle periods (no generate request in flight) between the first and the last request, split by cause. */
function idleSplit(t: Tracked): IdleSplit {
  const split: IdleSplit = { boundaryMs: 0, boundaries: 0, betweenMs: 0, between: 0 };
  let idleFrom: number | undefined;
  let c = 0;
  // The first event is the reset: the wait for the first request is not idleness of the engine.
  for (const [time, inFlight] of t.events.slice(1)) {
    if (inFlight === 0) idleFrom = time;
    else if (inFlight === 1 && idleFrom !== undefined) {
      while (c < t.control.length && t.control[c]! < idleFrom) c++;
      const boundary = c < t.control.length && t.control[c]! < time;
      if (boundary) {
        split.boundaryMs += time - idleFrom;
        split.boundaries++;
      } else {
        split.betweenMs += time - idleFrom;
        split.between++;
      }
      idleFrom = undefined;
    }
  }
  return split;
}

type Message =
  | { type: 'start'; doubles: Array<{ parallel: number; latencyMs: number; uncachedTokenMs?: number; prompts: PromptSpec[] }> }
  | { type: 'reset' }
  | { type: 'stats'; windows?: Array<[number, number]> }
  | { type: 'stop' };

function send(message: unknown): void {
  process.send?.(message);
}

async function stopAll(): Promise<void> {
  await Promise.all(doubles.map((d) => d.double.close()));
  doubles = [];
  byPort.clear();
}

function resetTracked(t: Tracked): void {
  t.events = [[now(), t.inFlight]];
  t.control = [];
  t.since = now();
}

process.on('message', (raw) => {
  const message = raw as Message;
  void (async () => {
    switch (message.type) {
      case 'start': {
        await stopAll();
        for (const spec of message.doubles) {
          const script = spec.prompts.map((p) => scriptFromAnswers(p.prompt, p.answers, p.script ?? {}));
          const double = await startOllamaDouble({ models: [{ name: BENCH_MODEL, script }], parallel: spec.parallel, latencyMs: spec.latencyMs, uncachedTokenMs: spec.uncachedTokenMs ?? 0, maxQueue: 100_000 });
          const t: Tracked = { double, slots: spec.parallel, inFlight: 0, events: [], control: [], since: 0 };
          resetTracked(t);
          doubles.push(t);
          byPort.set(double.port, t);
        }
        send({ type: 'started', urls: doubles.map((d) => d.double.url) });
        break;
      }
      case 'reset': {
        for (const t of doubles) {
          t.double.resetCounters();
          resetTracked(t);
        }
        cpuAtReset = process.cpuUsage();
        send({ type: 'reset' });
        break;
      }
      case 'stats': {
        const end = now();
        const cpu = process.cpuUsage(cpuAtReset);
        // The double keeps a log of every request body; drop it so a long sweep does not grow this process.
        for (const t of doubles) t.double.requests.length = 0;
        send({
          type: 'stats',
          cpuMs: (cpu.user + cpu.system) / 1000,
          doubles: doubles.map((t) => ({
            counters: t.double.counters,
            busyMs: t.double.slotBusyMs(t.since, end),
            slots: t.slots,
            inFlight: t.inFlight,
            windowBusyMs: (message.windows ?? []).map(([from, to]) => t.double.slotBusyMs(from, to)),
            idle: idleSplit(t),
          })),
        });
        break;
      }
      case 'stop':
        await stopAll();
        send({ type: 'stopped' });
        process.disconnect?.();
        break;
    }
  })().catch((err: unknown) => {
    send({ type: 'error', message: err instanceof Error ? err.stack ?? err.message : String(err) });
  });
});

process.on('disconnect', () => {
  void stopAll().finally(() => process.exit(0));
});

send({ type: 'hello' });
