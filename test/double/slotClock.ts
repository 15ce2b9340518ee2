/**
 * Ollama TEST DOUBLE — busy slot time: every change of the number of generate requests holding a
 * slot (load requests included), with its time, so busy time (the integral of that number) can be
 * asked for any window. Times are absolute epoch milliseconds with sub-millisecond precision
 * (`performance.timeOrigin + performance.now()`), comparable across processes.
 */

export const absoluteNow = (): number => performance.timeOrigin + performance.now();

const MAX_EVENTS = 400_000;

export class SlotClock {
  /** (time, slots held from then on) */
  private events: Array<[number, number]> = [];
  private level = 0;

  constructor(private readonly now: () => number = absoluteNow) {
    this.reset();
  }

  change(held: number): void {
    this.level = held;
    this.events.push([this.now(), held]);
    // A double serving for days must not grow without bound: older windows are then forgotten.
    if (this.events.length > MAX_EVENTS) this.events = this.events.slice(this.events.length / 2);
  }

  /** Starts a new log at the current level (earlier windows are forgotten). */
  reset(): void {
    this.events = [[this.now(), this.level]];
  }

  /** When the log starts. */
  get since(): number {
    return this.events[0]![0];
  }

  /** Slot-milliseconds held in [from, to] (default: since the reset, until now). */
  busyMs(from = this.since, to = this.now()): number {
    let busy = 0;
    let level = 0;
    let last = from;
    for (const [time, held] of this.events) {
      if (time > to) break;
      if (time > from) {
        busy += level * (time - last);
        last = time;
      }
      level = held;
    }
    if (to > last) busy += level * (to - last);
    return busy;
  }
}
