// The keyed debouncer behind analyze-on-save and the lens refresh, on a fake clock (no real waiting).
import assert from 'node:assert/strict';
import test from 'node:test';
import { Debouncer, type DebounceTimers } from '../../src/core/quick/debounce';

/** A manual clock: timers fire only when the test advances it. */
class FakeTimers implements DebounceTimers<number> {
  now = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): number {
    const id = this.nextId++;
    this.timers.set(id, { at: this.now + ms, fn });
    return id;
  }

  clearTimeout(handle: number): void {
    this.timers.delete(handle);
  }

  get active(): number {
    return this.timers.size;
  }

  /** Moves the clock, firing due timers in time order. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.timers].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at || a[0] - b[0])[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.now = due[1].at;
      due[1].fn();
    }
    this.now = until;
  }
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

test('a call runs once its key has been quiet for the delay', () => {
  const clock = new FakeTimers();
  const debouncer = new Debouncer<string, number>(300, clock);
  const calls: string[] = [];
  debouncer.schedule('a', () => void calls.push('a'));
  assert.equal(debouncer.pending('a'), true);
  clock.advance(299);
  assert.deepEqual(calls, []);
  clock.advance(1);
  assert.deepEqual(calls, ['a']);
  assert.equal(debouncer.pending('a'), false);
  clock.advance(1000);
  assert.deepEqual(calls, ['a'], 'runs once');
});

test('re-scheduling a key restarts its delay and only the last call runs', () => {
  const clock = new FakeTimers();
  const debouncer = new Debouncer<string, number>(300, clock);
  const calls: number[] = [];
  debouncer.schedule('doc', () => void calls.push(1));
  clock.advance(200);
  debouncer.schedule('doc', () => void calls.push(2));
  assert.equal(clock.active, 1, 'the replaced timer was cleared');
  clock.advance(200);
  assert.deepEqual(calls, [], '400 ms after the first call, 200 after the second: still waiting');
  clock.advance(100);
  assert.deepEqual(calls, [2]);
});

test('different keys are independent', () => {
  const clock = new FakeTimers();
  const debouncer = new Debouncer<string, number>(300, clock);
  const calls: string[] = [];
  debouncer.schedule('a', () => void calls.push('a'));
  clock.advance(200);
  debouncer.schedule('b', () => void calls.push('b'));
  clock.advance(100);
  assert.deepEqual(calls, ['a'], 'scheduling b did not restart a');
  assert.equal(debouncer.pending('b'), true);
  clock.advance(200);
  assert.deepEqual(calls, ['a', 'b']);
});

test('cancel drops a pending call; dispose drops all and ignores later schedules', () => {
  const clock = new FakeTimers();
  const debouncer = new Debouncer<string, number>(100, clock);
  const calls: string[] = [];
  debouncer.schedule('a', () => void calls.push('a'));
  debouncer.schedule('b', () => void calls.push('b'));
  assert.equal(debouncer.cancel('a'), true);
  assert.equal(debouncer.cancel('a'), false, 'nothing left to cancel');
  assert.equal(debouncer.pending('a'), false);
  clock.advance(100);
  assert.deepEqual(calls, ['b']);
  debouncer.schedule('c', () => void calls.push('c'));
  debouncer.dispose();
  assert.equal(debouncer.pending('c'), false);
  assert.equal(clock.active, 0);
  debouncer.schedule('d', () => void calls.push('d'));
  clock.advance(1000);
  assert.deepEqual(calls, ['b']);
});

test('a call that throws or rejects is reported and the debouncer keeps working', async () => {
  const clock = new FakeTimers();
  const errors: [unknown, string][] = [];
  const debouncer = new Debouncer<string, number>(10, clock, (err, key) => errors.push([err, key]));
  const calls: string[] = [];
  debouncer.schedule('a', () => {
    throw new Error('sync');
  });
  debouncer.schedule('b', () => Promise.reject(new Error('async')));
  assert.doesNotThrow(() => clock.advance(10));
  await settle();
  assert.deepEqual(errors.map(([err, key]) => [(err as Error).message, key]), [['sync', 'a'], ['async', 'b']]);
  debouncer.schedule('a', () => void calls.push('a'));
  clock.advance(10);
  assert.deepEqual(calls, ['a']);
});

test('without onError, failures are swallowed; a throwing onError breaks nothing', async () => {
  const clock = new FakeTimers();
  const quiet = new Debouncer<string, number>(10, clock);
  quiet.schedule('a', () => Promise.reject(new Error('x')));
  quiet.schedule('b', () => {
    throw new Error('y');
  });
  assert.doesNotThrow(() => clock.advance(10));
  const loud = new Debouncer<string, number>(10, clock, () => {
    throw new Error('handler');
  });
  loud.schedule('a', () => {
    throw new Error('z');
  });
  assert.doesNotThrow(() => clock.advance(10));
  await settle();
  const calls: string[] = [];
  loud.schedule('a', () => void calls.push('ok'));
  clock.advance(10);
  assert.deepEqual(calls, ['ok']);
});

test('a key scheduled again while its call runs gets a fresh pending call', () => {
  const clock = new FakeTimers();
  const debouncer = new Debouncer<string, number>(10, clock);
  const calls: number[] = [];
  debouncer.schedule('a', () => {
    calls.push(1);
    debouncer.schedule('a', () => void calls.push(2));
  });
  clock.advance(10);
  assert.deepEqual(calls, [1]);
  assert.equal(debouncer.pending('a'), true);
  clock.advance(10);
  assert.deepEqual(calls, [1, 2]);
});
