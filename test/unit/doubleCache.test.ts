// The Ollama TEST DOUBLE's per-slot prompt cache and cost model (latency = a + b × uncached prompt
// tokens), and busy slot time. The product's cache-hit ratio is in doubleCacheProduct.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SlotCache, SlotClock, startOllamaDouble, tokenize, type OllamaDouble } from '../double/index';

const MODEL = 'double-cache:latest';
const LONG = `${'word '.repeat(200)}P:`;
const model = { name: MODEL, vocabulary: { size: 0 }, script: [{ prompt: 'P:', nodes: { '': [{ token: 'x', prob: 1 }] } }] };

interface Reply {
  ms: number;
  promptEvalCount: number;
  promptEvalMs: number;
}

async function generate(d: OllamaDouble, prompt: string): Promise<Reply> {
  const t0 = performance.now();
  const res = await fetch(`${d.url}/api/generate`, {
    method: 'POST',
    body: JSON.stringify({ model: MODEL, prompt, raw: true, stream: false, options: { num_predict: 1 } }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const body = (await res.json()) as { prompt_eval_count: number; prompt_eval_duration: number };
  return { ms: performance.now() - t0, promptEvalCount: body.prompt_eval_count, promptEvalMs: body.prompt_eval_duration / 1e6 };
}

const uncached = (d: OllamaDouble) => d.counters.promptTokens - d.counters.cachedPromptTokens;

describe('slot cache (Ollama runner: longest common prefix among the free slots)', () => {
  const A = ['a', 'b', 'c', 'd'];
  const B = ['x', 'y', 'z'];

  test('a request reuses the longest common prefix and evaluates the rest; an identical prompt re-evaluates its last token', () => {
    const c = new SlotCache(1);
    const first = c.lease(A);
    assert.deepEqual([first.slot, first.cached, first.uncached], [0, 0, 4]);
    first.release();
    const longer = c.lease([...A, 'e', 'f']);
    assert.deepEqual([longer.cached, longer.uncached], [4, 2]);
    longer.release();
    const same = c.lease([...A, 'e', 'f']);
    assert.deepEqual([same.cached, same.uncached], [5, 1]);
    same.release();
  });

  test('slot choice: the free slot with the longest prefix; a slot in use is skipped', () => {
    const c = new SlotCache(2);
    const a = c.lease(A);
    const b = c.lease(B); // slot 0 is in use
    assert.deepEqual([a.slot, b.slot], [0, 1]);
    a.release();
    b.release();
    const b2 = c.lease([...B, 'w']);
    assert.deepEqual([b2.slot, b2.cached], [1, 3]);
    const a2 = c.lease([...A, 'e']);
    assert.deepEqual([a2.slot, a2.cached], [0, 4]);
    a2.release();
    b2.release();
    // Two concurrent requests with one prompt: the second cannot share the first's slot.
    const x = c.lease([...A, 'e', 'f']);
    const y = c.lease([...A, 'e', 'g']);
    assert.deepEqual([x.slot, x.cached, y.slot, y.cached], [0, 5, 1, 0]);
  });

  test('eviction: an unrelated prompt takes the first free slot (ties in slot order), even with an empty slot left', () => {
    const c = new SlotCache(2);
    c.lease(A).release();
    const b = c.lease(B);
    assert.equal(b.slot, 0);
    b.release();
    assert.deepEqual(c.contents(), [B, []]);
    const again = c.lease(A);
    assert.deepEqual([again.slot, again.cached], [0, 0]);
  });
});

describe('cost model over HTTP (latencyMs + uncachedTokenMs × uncached tokens)', () => {
  test('a request that shares the cached prefix costs less; prompt_eval_count stays the whole prompt', async () => {
    const d = await startOllamaDouble({ models: [model], latencyMs: 5, uncachedTokenMs: 2 });
    try {
      const tokens = tokenize(LONG).length;
      const cold = await generate(d, LONG);
      const warm = await generate(d, `${LONG}A`);
      assert.equal(cold.promptEvalCount, tokens);
      assert.equal(warm.promptEvalCount, tokens + 1);
      // setTimeout never fires early: the cold request held its slot for at least a + b × tokens.
      assert.ok(cold.ms >= 5 + 2 * tokens, `cold ${cold.ms} ms`);
      assert.ok(cold.promptEvalMs >= 2 * tokens, `cold prompt_eval ${cold.promptEvalMs} ms`);
      assert.ok(warm.promptEvalMs < cold.promptEvalMs / 4, `warm ${warm.promptEvalMs} ms vs cold ${cold.promptEvalMs} ms`);
      assert.deepEqual([d.counters.promptTokens, d.counters.cachedPromptTokens], [2 * tokens + 1, tokens]);
    } finally {
      await d.close();
    }
  });

  test('two slots hold two prompts; a third prompt evicts slot 0; a reload empties the slots', async () => {
    const d = await startOllamaDouble({ models: [model], parallel: 2, latencyMs: 20 }); // latency: concurrent requests overlap
    try {
      const p1 = `${'one '.repeat(50)}P:`;
      const p2 = `${'two '.repeat(50)}P:`;
      // Concurrent, so the second takes slot 1.
      await Promise.all([generate(d, p1), generate(d, p2)]);
      d.resetCounters();
      await generate(d, `${p1}A`);
      await generate(d, `${p2}A`);
      assert.equal(uncached(d), 2, 'each prompt found in its own slot');
      await generate(d, `${'three '.repeat(50)}P:`);
      d.resetCounters();
      await generate(d, `${p1}B`);
      assert.equal(uncached(d), tokenize(`${p1}B`).length, 'p1 was evicted from slot 0');
      await generate(d, `${p2}B`);
      assert.equal(uncached(d), tokenize(`${p1}B`).length + 1, 'p2 is still in slot 1');
      const res = await fetch(`${d.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: MODEL, prompt: `${p2}B`, raw: true, stream: false, options: { num_predict: 1, num_ctx: 8192 } }) });
      assert.equal(res.status, 200);
      assert.deepEqual(d.cachedPrompts(MODEL).map((s) => s.length), [tokenize(`${p2}B`).length, 0], 'the reload (num_ctx) emptied both slots');
    } finally {
      await d.close();
    }
  });

  test('busy slot time: the slots held, integrated over time, in any window', async () => {
    const d = await startOllamaDouble({ models: [model], parallel: 2, latencyMs: 40 });
    try {
      const t0 = performance.timeOrigin + performance.now();
      await Promise.all([generate(d, 'P:'), generate(d, 'P:')]);
      await generate(d, 'P:');
      const t1 = performance.timeOrigin + performance.now();
      const busy = d.slotBusyMs();
      assert.ok(busy >= 3 * 40 && busy <= 2 * (t1 - d.slotClockSince), `busy ${busy} ms in ${t1 - t0} ms`);
      assert.ok(Math.abs(d.slotBusyMs(t0, t1) - busy) < 1e-6);
      assert.equal(d.slotBusyMs(t1 + 1, t1 + 100), 0, 'nothing held afterwards');
    } finally {
      await d.close();
    }
  });

  test('SlotClock: level × time, windows cut at their ends', () => {
    let now = 0;
    const clock = new SlotClock(() => now);
    now = 10;
    clock.change(1);
    now = 20;
    clock.change(2);
    now = 30;
    clock.change(0);
    now = 40;
    assert.equal(clock.busyMs(), 10 + 20);
    assert.equal(clock.busyMs(15, 25), 5 + 10);
    clock.reset();
    assert.equal(clock.busyMs(), 0);
  });
});
