import { hostFromEnvironment } from '../core/ollama/host';
import type { Method } from '../core/analyze';

/** The `superposition.*` settings, typed and validated. No `vscode` import: unit-testable. */
export interface Settings {
  host: string;
  /** True when the host came from workspace settings (ignored in untrusted workspaces). */
  hostFromWorkspace: boolean;
  /** Where the host came from, as the Ollama view says it. */
  hostSource: HostSource;
  model: string;
  method: Method;
  samples: number;
  terminated: boolean;
  /** 0 = the number of tasks. */
  topK: number;
  concurrency: number;
  requestTimeoutMs: number;
  keepAlive: string | number;
  historyLocation: 'workspace' | 'global';
  /** More Ollama hosts sharing the requests of an experiment (the main host comes first). */
  hosts: string[];
  /** CodeLens above prompts (last result, Analyze). */
  codeLens: boolean;
  /** The last result after the query line. */
  inlineResult: boolean;
  /** Quiet period after a save before analyze-on-save measures. */
  analyzeOnSaveDelayMs: number;
  /** Measurements kept for instant answers to unchanged prompts. */
  measurementCacheEntries: number;
}

export type HostSource = 'folder settings' | 'workspace settings' | 'user settings' | 'OLLAMA_HOST' | 'default';

/** What the reader needs from a WorkspaceConfiguration. */
export interface ConfigSource {
  get<T>(key: string): T | undefined;
  inspect<T>(key: string): { globalValue?: T; workspaceValue?: T; workspaceFolderValue?: T } | undefined;
}

const int = (value: unknown, fallback: number, min: number, max: number) =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? value : fallback;

export function readSettings(config: ConfigSource, env: Record<string, string | undefined>, trusted: boolean): Settings {
  const inspected = config.inspect<string>('host');
  const workspaceHost = inspected?.workspaceFolderValue ?? inspected?.workspaceValue;
  // In an untrusted workspace a workspace-defined host could send prompts anywhere: ignore it.
  const hostSetting = trusted ? config.get<string>('host') : inspected?.globalValue;
  const method = config.get<string>('method');
  const keepAlive = (config.get<string>('keepAlive') ?? '5m').trim();
  const hostSource: HostSource = hostSetting
    ? trusted && inspected?.workspaceFolderValue
      ? 'folder settings'
      : trusted && inspected?.workspaceValue
        ? 'workspace settings'
        : 'user settings'
    : env['OLLAMA_HOST']?.trim()
      ? 'OLLAMA_HOST'
      : 'default';
  return {
    host: hostFromEnvironment(hostSetting || undefined, env),
    hostFromWorkspace: trusted && !!workspaceHost,
    hostSource,
    model: (config.get<string>('model') ?? '').trim(),
    method: method === 'logprobs' || method === 'sampling' ? method : 'auto',
    samples: int(config.get('samples'), 200, 1, 100_000),
    terminated: config.get<boolean>('terminated') === true,
    topK: int(config.get('topK'), 0, 0, 50),
    concurrency: int(config.get('concurrency'), 1, 1, 64),
    requestTimeoutMs: int(config.get('requestTimeout'), 300, 1, 86_400) * 1000,
    keepAlive: /^-?\d+$/.test(keepAlive) ? Number(keepAlive) : keepAlive || '5m',
    historyLocation: config.get<string>('historyLocation') === 'global' ? 'global' : 'workspace',
    // Extra hosts are workspace-definable too, so an untrusted workspace gets only the user's own.
    hosts: ((trusted ? config.get<unknown>('hosts') : config.inspect<unknown>('hosts')?.globalValue) as unknown[] | undefined ?? [])
      .filter((h): h is string => typeof h === 'string' && h.trim() !== '')
      .map((h) => hostFromEnvironment(h, {})),
    codeLens: config.get<boolean>('codeLens') !== false,
    inlineResult: config.get<boolean>('inlineResult') !== false,
    analyzeOnSaveDelayMs: int(config.get('analyzeOnSaveDelay'), 800, 0, 60_000),
    measurementCacheEntries: int(config.get('measurementCache.maxEntries'), 200, 1, 10_000),
  };
}
