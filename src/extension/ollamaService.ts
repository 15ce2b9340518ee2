import * as vscode from 'vscode';
import { OllamaClient } from '../core/ollama/client';
import { classifyError, logprobsSupport, type OllamaError } from '../core/ollama/errors';
import type { ModelSummary } from '../core/ollama/types';
import type { Settings } from './settings';

export interface OllamaStatus {
  host: string;
  /** undefined until the first check (activation does no network I/O). */
  reachable?: boolean;
  version?: string;
  logprobs?: boolean;
  models: ModelSummary[];
  error?: OllamaError;
  checkedAt?: number;
}

/** The extension's view of the Ollama server: a client built from the settings, and its status. */
export class OllamaService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<OllamaStatus>();
  readonly onDidChange = this.changed.event;
  private current: OllamaStatus;
  private inflight?: Promise<OllamaStatus>;

  constructor(private settings: Settings) {
    this.current = { host: settings.host, models: [] };
  }

  get status(): OllamaStatus {
    return this.current;
  }

  /** Where the host came from: user / workspace / folder settings, OLLAMA_HOST, or the default. */
  get hostSource(): string {
    return this.settings.hostSource;
  }

  get model(): string {
    return this.settings.model;
  }

  client(): OllamaClient {
    return new OllamaClient({ host: this.settings.host, requestTimeoutMs: this.settings.requestTimeoutMs });
  }

  updateSettings(settings: Settings): void {
    const hostChanged = settings.host !== this.settings.host;
    this.settings = settings;
    if (hostChanged) {
      this.current = { host: settings.host, models: [] };
      this.changed.fire(this.current);
    } else this.changed.fire(this.current);
  }

  /** Checks the server (version + models); concurrent callers share one check. */
  refresh(): Promise<OllamaStatus> {
    this.inflight ??= (async () => {
      const client = new OllamaClient({ host: this.settings.host, requestTimeoutMs: 5000, retries: 0 });
      try {
        const [version, models] = await Promise.all([client.version(), client.listModels()]);
        this.current = { host: this.settings.host, reachable: true, version, logprobs: logprobsSupport(version) !== 'no', models, checkedAt: Date.now() };
      } catch (err) {
        this.current = { host: this.settings.host, reachable: false, models: [], error: classifyError(err, { host: this.settings.host }), checkedAt: Date.now() };
      }
      this.changed.fire(this.current);
      return this.current;
    })().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** The status, checked now if it never was. */
  async ensureChecked(): Promise<OllamaStatus> {
    return this.current.checkedAt === undefined ? this.refresh() : this.current;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
