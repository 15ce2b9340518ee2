/** Parent side of bench/doubleHost.ts: starts the child and talks to it over IPC. */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { DoubleCounters } from '../test/double/index';
import type { IdleSplit } from './doubleHost';
import type { PromptSpec } from './scenario';

export interface DoubleStats {
  counters: DoubleCounters;
  /** Busy slot time since the last reset (the double's own accounting). */
  busyMs: number;
  slots: number;
  inFlight: number;
  /** Busy slot time in each window asked for. */
  windowBusyMs: number[];
  /** Idle periods of the slot (meaningful for 1-slot doubles). */
  idle: IdleSplit;
}

/** An absolute time comparable with the double host's (epoch ms, sub-millisecond). */
export const absoluteNow = () => performance.timeOrigin + performance.now();

export class DoubleHost {
  private constructor(private readonly child: ChildProcess) {}

  static async start(): Promise<DoubleHost> {
    const child = fork(join(__dirname, 'doubleHost.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const host = new DoubleHost(child);
    await host.next('hello');
    return host;
  }

  private next<T>(type: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const onMessage = (m: { type: string; message?: string }) => {
        if (m.type === 'error') {
          cleanup();
          reject(new Error(`double host: ${m.message}`));
        } else if (m.type === type) {
          cleanup();
          resolve(m as T);
        }
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`double host exited (${code})`));
      };
      const cleanup = () => {
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      this.child.on('message', onMessage);
      this.child.on('exit', onExit);
    });
  }

  private async call<T>(message: { type: string } & Record<string, unknown>, reply: string): Promise<T> {
    const answer = this.next<T>(reply);
    this.child.send(message);
    return answer;
  }

  /** Replaces the running doubles; returns their URLs. */
  async startDoubles(doubles: Array<{ parallel: number; latencyMs: number; uncachedTokenMs?: number; prompts: PromptSpec[] }>): Promise<string[]> {
    return (await this.call<{ urls: string[] }>({ type: 'start', doubles }, 'started')).urls;
  }

  async reset(): Promise<void> {
    await this.call({ type: 'reset' }, 'reset');
  }

  async stats(): Promise<DoubleStats[]> {
    return (await this.statsWithCpu()).doubles;
  }

  /** The doubles' stats (busy time also in the given absolute-time windows) and the double host's CPU time since the last reset. */
  async statsWithCpu(windows: Array<[number, number]> = []): Promise<{ doubles: DoubleStats[]; cpuMs: number }> {
    return this.call<{ doubles: DoubleStats[]; cpuMs: number }>({ type: 'stats', windows }, 'stats');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || !this.child.connected) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    await this.call({ type: 'stop' }, 'stopped').catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  }
}
