import type { ModelDetails } from './types';

/** What an analysis asks a server before and after measuring (the OllamaClient provides it directly). */
export interface ServerInfo {
  version(signal?: AbortSignal): Promise<string>;
  modelDigest(model: string, signal?: AbortSignal): Promise<string | undefined>;
  showModel(model: string, signal?: AbortSignal): Promise<ModelDetails>;
  loadedModels(signal?: AbortSignal): Promise<Array<{ name: string; contextLength?: number }>>;
  /** When provided, used instead of loadedModels to find a model's context length. */
  contextLength?(model: string, signal?: AbortSignal): Promise<number | undefined>;
  /** Whether generation with this model returns logprobs (asked when the version cannot tell). */
  probeLogprobs?(model: string, signal?: AbortSignal): Promise<boolean>;
}

/**
 * The same facts, asked once per server and model for a whole sweep instead of before every
 * prompt (four requests per unit otherwise, which leave the server's slots idle). Failures are not
 * kept: the next unit asks again. One instance per host and per run (the run's signal is shared by
 * its units, so a cancelled call cancels them all anyway).
 */
export class CachedServerInfo implements ServerInfo {
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(private readonly server: ServerInfo) {}

  private once<T>(key: string, ask: () => Promise<T>): Promise<T> {
    const known = this.memo.get(key) as Promise<T> | undefined;
    if (known) return known;
    const asked = ask();
    this.memo.set(key, asked);
    asked.catch(() => this.memo.delete(key));
    return asked;
  }

  version(signal?: AbortSignal): Promise<string> {
    return this.once('version', () => this.server.version(signal));
  }

  modelDigest(model: string, signal?: AbortSignal): Promise<string | undefined> {
    return this.once(`digest\u0000${model}`, async () => {
      const digest = await this.server.modelDigest(model, signal);
      if (digest === undefined) throw new Error('not installed'); // not cached: it may be pulled meanwhile
      return digest;
    }).catch((err: unknown) => {
      if (err instanceof Error && err.message === 'not installed') return undefined;
      throw err;
    });
  }

  showModel(model: string, signal?: AbortSignal): Promise<ModelDetails> {
    return this.once(`show\u0000${model}`, () => this.server.showModel(model, signal));
  }

  loadedModels(signal?: AbortSignal): Promise<Array<{ name: string; contextLength?: number }>> {
    return this.server.loadedModels(signal);
  }

  probeLogprobs(model: string, signal?: AbortSignal): Promise<boolean> {
    const server = this.server;
    return this.once(`probe\u0000${model}`, () => (server.probeLogprobs ? server.probeLogprobs(model, signal) : Promise.resolve(true)));
  }

  /** The context length of a loaded model, kept once known (it does not change while loaded). */
  contextLength(model: string, signal?: AbortSignal): Promise<number | undefined> {
    return this.once(`ctx\u0000${model}`, async () => {
      const found = contextLengthIn(await this.server.loadedModels(signal), model);
      if (found === undefined) throw new Error('not loaded'); // not cached: ask again next time
      return found;
    }).catch(() => undefined);
  }
}

/** The context length of `model` (with or without `:latest`) in a /api/ps listing. */
export function contextLengthIn(loaded: ReadonlyArray<{ name: string; contextLength?: number }>, model: string): number | undefined {
  return loaded.find((m) => m.name === model || m.name === `${model}:latest`)?.contextLength;
}
