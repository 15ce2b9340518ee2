import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestScheduler, sharedPrefixLength } from '../../src/core/ollama/scheduler';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('never runs more than `concurrency` tasks at once', async () => {
  const scheduler = new RequestScheduler(3);
  let active = 0;
  let peak = 0;
  await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      scheduler.run(`k${i}`, '', async () => {
        active++;
        peak = Math.max(peak, active);
        await tick(2);
        active--;
      }),
    ),
  );
  assert.equal(peak, 3);
  assert.equal(scheduler.maxActive, 3);
});

test('waiting requests sharing the last prompt prefix go first (prompt-cache reuse)', async () => {
  const scheduler = new RequestScheduler(1);
  const order: string[] = [];
  const keys = ['PROMPT-A:x', 'PROMPT-B:x', 'PROMPT-A:y', 'PROMPT-B:y', 'PROMPT-A:z'];
  await Promise.all(keys.map((k) => scheduler.run(k.slice(0, 8), k.slice(8), async () => { order.push(k); })));
  // After the first A request, the other A requests run before switching to B.
  assert.deepEqual(order.slice(0, 3).map((k) => k.slice(0, 8)), ['PROMPT-A', 'PROMPT-A', 'PROMPT-A']);
  assert.deepEqual(order.slice(3).map((k) => k.slice(0, 8)), ['PROMPT-B', 'PROMPT-B']);
});

test('a failing task rejects only its own promise', async () => {
  const scheduler = new RequestScheduler(1);
  const results = await Promise.allSettled([
    scheduler.run('a', '', async () => 1),
    scheduler.run('b', '', async () => {
      throw new Error('boom');
    }),
    scheduler.run('c', '', async () => 3),
  ]);
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
});

test('shared prefix length and argument checks', () => {
  assert.equal(sharedPrefixLength('abcdef', 'abcxyz'), 3);
  assert.equal(sharedPrefixLength('', 'a'), 0);
  assert.throws(() => new RequestScheduler(0), RangeError);
});

test('within a prompt, the waiting suffix closest to the last one goes first', async () => {
  const scheduler = new RequestScheduler(1);
  const order: string[] = [];
  await Promise.all(['x', 'ab', 'xy', 'a'].map((s) => scheduler.run('P', s, async () => { order.push(s); })));
  assert.deepEqual(order, ['x', 'xy', 'ab', 'a']);
});

test('when a prompt has nothing left, the prompt sharing most with it goes next', async () => {
  const scheduler = new RequestScheduler(1);
  const order: string[] = [];
  const jobs: Array<[string, string]> = [['HEADER-A', '1'], ['OTHER', '1'], ['HEADER-B', '1'], ['HEADER-A', '2']];
  await Promise.all(jobs.map(([p, s]) => scheduler.run(p, s, async () => { order.push(`${p}:${s}`); })));
  assert.deepEqual(order, ['HEADER-A:1', 'HEADER-A:2', 'HEADER-B:1', 'OTHER:1']);
});

test('picking a request costs the same for a 100 000-character prompt as for a short one', async () => {
  const compared = async (prompt: string) => {
    const scheduler = new RequestScheduler(2);
    await Promise.all(Array.from({ length: 200 }, (_, i) => scheduler.run(prompt, ` answer ${i % 7} ${i}`, async () => tick(0))));
    return scheduler.comparedChars;
  };
  const short = await compared('Q: 1\nA:');
  const long = await compared(`${'Q: 12 + 30\nA: 42\n'.repeat(6000)}Q: 1\nA:`);
  assert.equal(long, short);
  // Suffixes are ≤ 13 characters: a pick compares at most the waiting suffixes, never the prompt.
  assert.ok(short < 200 * 200 * 14, `compared ${short}`);
});
