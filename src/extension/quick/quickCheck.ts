import * as vscode from 'vscode';
import { analyzeMix } from '../../core/analyze';
import { Debouncer } from '../../core/quick/debounce';
import { MeasurementCache, type CacheKeyParts } from '../../core/quick/measurementCache';
import { findModel } from '../../core/ollama/modelName';
import type { RunRecord } from '../../core/record';
import type { Lab } from '../lab';
import type { Settings } from '../settings';
import { isPromptDocument, preparePrompt, type PromptInput } from './promptInput';

/** workspaceState keys: files with analyze-on-save on; the remembered prompt selection per file. */
const ON_SAVE_KEY = 'superposition.analyzeOnSave';
const SELECTION_KEY = 'superposition.promptSelections';

/** The last measurement shown for a document, and the prompt it was taken on. */
export interface QuickResult {
  record: RunRecord;
  input: PromptInput;
  /** Answered from the measurement cache (no model request). */
  fromCache: boolean;
}

type StoredRange = [number, number, number, number];

/**
 * The in-editor quick check: measures a document's prompt on demand (CodeLens) or when it is saved
 * (per-file toggle), answering an unchanged prompt from a bounded, persisted measurement cache with
 * no model request. Lenses, hovers, the inline result and the measurement diagnostics read its
 * results and redraw on `onDidChange`.
 */
export class QuickCheck implements vscode.Disposable {
  private readonly cache: MeasurementCache;
  private readonly loaded: Promise<unknown>;
  private readonly results = new Map<string, QuickResult>();
  private readonly debouncer: Debouncer<string>;
  private readonly emitter = new vscode.EventEmitter<vscode.Uri | undefined>();
  private readonly inFlight = new Map<string, Promise<QuickResult | undefined>>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  /** Measurements answered from the cache and sent to Ollama (the status bar's tooltip says so). */
  readonly counts = { cached: 0, measured: 0 };

  constructor(
    private readonly lab: Lab,
    private readonly context: vscode.ExtensionContext,
  ) {
    const settings = lab.settings();
    const file = vscode.Uri.joinPath(context.globalStorageUri, 'measurement-cache.json');
    this.cache = new MeasurementCache({
      maxEntries: settings.measurementCacheEntries,
      storage: {
        read: async () => {
          try {
            return new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
          } catch {
            return undefined;
          }
        },
        write: async (text) => {
          await vscode.workspace.fs.createDirectory(context.globalStorageUri);
          await vscode.workspace.fs.writeFile(file, new TextEncoder().encode(text));
        },
      },
      onError: (err) => console.warn('[superposition] measurement cache not saved', err),
    });
    this.loaded = this.cache.load().catch(() => undefined);
    this.debouncer = new Debouncer<string>(settings.analyzeOnSaveDelayMs, undefined, (err) => console.warn('[superposition] analyze on save failed', err));
    this.disposables.push(
      this.emitter,
      vscode.workspace.onDidSaveTextDocument((document) => {
        if (this.isOnSave(document.uri) && isPromptDocument(document)) this.debouncer.schedule(document.uri.toString(), () => this.check(document, 'save'));
      }),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (this.results.has(e.document.uri.toString())) this.emitter.fire(e.document.uri);
      }),
    );
  }

  private keyParts(input: PromptInput, settings: Settings & { model: string }): CacheKeyParts {
    const digest = findModel(this.lab.service.status.models, settings.model)?.digest;
    return {
      model: settings.model,
      modelDigest: digest,
      prompt: input.mix.prompt,
      tasks: input.detection.tasks,
      options: { method: settings.method, samples: settings.samples, terminated: settings.terminated, ...(settings.topK > 0 ? { topK: settings.topK } : {}) },
    };
  }

  /**
   * Measures the document's prompt (its remembered selection, else the whole file): an unchanged
   * prompt is answered from the cache at once, with no model request; a changed one goes to Ollama
   * quietly (status bar, no panel) and is saved in the history. Concurrent calls for one document share one run.
   */
  check(document: vscode.TextDocument, reason: 'save' | 'lens'): Promise<QuickResult | undefined> {
    const id = document.uri.toString();
    const running = this.inFlight.get(id);
    if (running) return running;
    const work = this.measure(document, reason).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, work);
    return work;
  }

  private async measure(document: vscode.TextDocument, reason: 'save' | 'lens'): Promise<QuickResult | undefined> {
    await this.loaded;
    const prepared = await preparePrompt(document, this.promptRange(document));
    if (!prepared.ok) {
      if (reason === 'lens') await vscode.commands.executeCommand('superposition.analyzeFile', document.uri);
      return undefined;
    }
    const settings = this.lab.settings();
    const status = this.lab.service.status.reachable ? this.lab.service.status : await this.lab.service.refresh();
    if (!status.reachable || !settings.model || !findModel(status.models, settings.model)) {
      // No quiet way to fix these: the regular Analyze shows the choices (Start Ollama, Pull, Select Model).
      if (reason === 'lens') await vscode.commands.executeCommand('superposition.analyzeFile', document.uri);
      else vscode.window.setStatusBarMessage(`$(warning) Superposition: not analysed on save — ${status.error?.message ?? (settings.model ? `model '${settings.model}' is not installed` : 'no model selected')}`, 8000);
      return undefined;
    }
    const model = { ...settings, model: settings.model };
    const key = MeasurementCache.key(this.keyParts(prepared.input, model));
    const cached = this.cache.get(key);
    if (cached) {
      this.counts.cached++;
      vscode.window.setStatusBarMessage(`$(check) Superposition: ${prepared.input.source} unchanged — last measurement reused (no model request)`, 5000);
      return this.show(document, { record: cached, input: prepared.input, fromCache: true });
    }
    const record = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Superposition: analysing ${prepared.input.source}` }, () =>
      analyzeMix(this.lab.service.client(), prepared.input.mix, prepared.input.detection, {
        model: model.model,
        method: model.method,
        samples: model.samples,
        terminated: model.terminated,
        ...(model.topK > 0 ? { topK: model.topK } : {}),
        concurrency: model.concurrency,
        keepAlive: model.keepAlive,
        source: prepared.input.source,
      }),
    );
    this.counts.measured++;
    await this.lab.store().save(record).catch((err: unknown) => console.warn('[superposition] run not saved', err));
    if (record.status !== 'complete') {
      void vscode.window.showWarningMessage(`Superposition: the quick check of ${prepared.input.source} ${record.status} — ${record.error?.message ?? ''} ${record.error?.nextStep ?? ''}`, 'Open Run').then((c) => c && this.lab.openRun(record.id));
    } else this.cache.set(key, record);
    return this.show(document, { record, input: prepared.input, fromCache: false });
  }

  /** A regular Analyze of this document finished: its record is the document's last result (and cached). */
  adopt(document: vscode.TextDocument, input: PromptInput, record: RunRecord): void {
    const settings = this.lab.settings();
    if (record.status === 'complete' && settings.model === record.model) this.cache.set(MeasurementCache.key(this.keyParts(input, { ...settings, model: record.model })), record);
    this.show(document, { record, input, fromCache: false });
  }

  private show(document: vscode.TextDocument, result: QuickResult): QuickResult {
    this.results.set(document.uri.toString(), result);
    this.emitter.fire(document.uri);
    return result;
  }

  /** The last result shown for the document (possibly of an older version of its prompt). */
  lastResult(document: vscode.TextDocument): QuickResult | undefined {
    return this.results.get(document.uri.toString());
  }

  // ── per-file state ─────────────────────────────────────────────────────────────────────────

  isOnSave(uri: vscode.Uri): boolean {
    return this.context.workspaceState.get<string[]>(ON_SAVE_KEY, []).includes(uri.toString());
  }

  async toggleOnSave(uri: vscode.Uri): Promise<boolean> {
    const files = new Set(this.context.workspaceState.get<string[]>(ON_SAVE_KEY, []));
    const on = !files.has(uri.toString());
    if (on) files.add(uri.toString());
    else files.delete(uri.toString());
    await this.context.workspaceState.update(ON_SAVE_KEY, [...files]);
    this.emitter.fire(uri);
    return on;
  }

  /** Remembers an analysed selection as the file's prompt (the lens sits above it). */
  rememberSelection(document: vscode.TextDocument, range: vscode.Range): void {
    const all = this.context.workspaceState.get<Record<string, StoredRange>>(SELECTION_KEY, {});
    all[document.uri.toString()] = [range.start.line, range.start.character, range.end.line, range.end.character];
    void this.context.workspaceState.update(SELECTION_KEY, all);
  }

  /** The remembered selection while it still lies inside the document; undefined = the whole file. */
  promptRange(document: vscode.TextDocument): vscode.Range | undefined {
    const stored = this.context.workspaceState.get<Record<string, StoredRange>>(SELECTION_KEY, {})[document.uri.toString()];
    if (!stored || stored[2] >= document.lineCount) return undefined;
    const range = new vscode.Range(stored[0], stored[1], stored[2], stored[3]);
    return document.validateRange(range).isEqual(range) && !range.isEmpty ? range : undefined;
  }

  dispose(): void {
    this.debouncer.dispose();
    void this.cache.flush().catch(() => undefined);
    for (const d of this.disposables) d.dispose();
  }
}
