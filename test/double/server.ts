/**
 * Ollama TEST DOUBLE — an HTTP server that speaks Ollama's API (as described in
 * /work/shared/reference/ollama-protocol.md) over scripted token distributions.
 * It is NOT Ollama and serves no real model. Node built-ins only; nothing from src/.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { atRank, compileModel, isCanonicalPath, nameKey, pathKeyOf, servedName, type CompiledModel, type NormDist, type Piece } from './model';
import { profileForVersion } from './profile';
import { fitToContext } from './context';
import { PromptCaches, type CacheLease } from './promptCache';
import { randomRng, rngFromString, type Rng } from './rng';
import { sampleRank, type SamplerOptions } from './sampler';
import { SlotClock } from './slotClock';
import { detokenize, tokenIds } from './tokenizer';
import { groundTruth } from './truth';
import type { DoubleCounters, DoubleOptions, Fault, LoggedRequest, OllamaDouble, ProfileName, ScriptedModel, TruthOptions } from './types';
import { endsIncomplete, goValue, incompleteTailStart, sanitizePerByte, toBin, trimToValid } from './utf8';

const TAG = '[ollama-double]';
const DEFAULT_KEEP_ALIVE_MS = 5 * 60 * 1000;
const FOREVER_MS = 100 * 365 * 24 * 3600 * 1000;
const BUSY = 'server busy, please try again.  maximum pending requests exceeded';
const CONTEXT_LENGTH = 4096;
/** Ollama's default num_keep: the first prompt tokens kept when a prompt is truncated. */
const NUM_KEEP = 4;
const RUNNER_KEYS = ['num_ctx', 'num_batch', 'num_gpu', 'main_gpu', 'use_mmap', 'num_thread'] as const;

type Json = Record<string, unknown>;
type PendingFault = Fault & { remaining: number };

/** RFC 3339 with sub-millisecond digits, UTC, like Go's time.Time JSON. */
function goTime(d: Date = new Date()): string {
  const iso = d.toISOString(); // 2025-11-14T22:17:56.598Z
  const extra = String(process.hrtime()[1] % 1_000_000).padStart(6, '0');
  const frac = `${iso.slice(20, 23)}${extra}`.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}

function defaultErrorMessage(status: number): string {
  if (status === 503) return BUSY;
  if (status === 500) return 'an error was encountered while running the model';
  return (STATUS_CODES[status] ?? 'error').toLowerCase();
}

// ---------------------------------------------------------------- request decoding (Go-like)

function jsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v; // string | number | object
}

/** Approximates the text of Go's encoding/json decoder errors for malformed input. */
function goSyntaxError(text: string, err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/end of JSON input|Unterminated string/i.test(msg)) return 'unexpected EOF';
  const m = /position (\d+)/.exec(msg);
  const pos = m ? Number(m[1]) : -1;
  const ch = pos >= 0 ? text[pos] : undefined;
  if (ch === undefined) return 'unexpected EOF';
  let prev = pos - 1;
  while (prev >= 0 && /\s/.test(text[prev] ?? '')) prev--;
  const context = text[prev] === '{' || (text[prev] === ',' && /^[^[]*\{/.test(text)) ? 'looking for beginning of object key string' : 'looking for beginning of value';
  return `invalid character '${ch}' ${context}`;
}

type Decoded = { ok: true; value: unknown } | { ok: false; error: string };

function decodeBody(text: string): Decoded {
  if (text.trim() === '') return { ok: false, error: 'missing request body' };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, error: goSyntaxError(text, e) };
  }
}

type FieldType = 'string' | 'bool' | 'int' | 'object' | 'int[]' | 'string[]' | 'any';

function checkFields(goType: string, obj: unknown, spec: Record<string, FieldType>): string | undefined {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    return `json: cannot unmarshal ${jsonTypeName(obj)} into Go value of type api.${goType}`;
  }
  const rec = obj as Json;
  for (const [key, type] of Object.entries(spec)) {
    const v = rec[key];
    if (v === undefined || v === null || type === 'any') continue;
    const where = `Go struct field ${goType}.${key}`;
    const bad = (got: string, want: string): string => `json: cannot unmarshal ${got} into ${where} of type ${want}`;
    switch (type) {
      case 'string':
        if (typeof v !== 'string') return bad(jsonTypeName(v), 'string');
        break;
      case 'bool':
        if (typeof v !== 'boolean') return bad(jsonTypeName(v), 'bool');
        break;
      case 'int':
        if (typeof v !== 'number') return bad(jsonTypeName(v), 'int');
        if (!Number.isInteger(v)) return bad(`number ${v}`, 'int');
        break;
      case 'object':
        if (typeof v !== 'object' || Array.isArray(v)) return bad(jsonTypeName(v), 'map[string]interface {}');
        break;
      case 'int[]':
        if (!Array.isArray(v)) return bad(jsonTypeName(v), '[]int');
        for (const x of v) if (typeof x !== 'number' || !Number.isInteger(x)) return bad(typeof x === 'number' ? `number ${x}` : jsonTypeName(x), 'int');
        break;
      case 'string[]':
        if (!Array.isArray(v)) return bad(jsonTypeName(v), '[]api.ImageData');
        for (const x of v) if (typeof x !== 'string') return bad(jsonTypeName(x), 'api.ImageData');
        break;
    }
  }
  return undefined;
}

/** Go's time.ParseDuration for the forms Ollama clients use ("5m", "1h30m", "300ms", "-1s"). */
function parseGoDuration(s: string): number | string {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    if (rest.startsWith('-')) sign = -1;
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return `time: invalid duration ${JSON.stringify(s)}`;
  let total = 0;
  const re = /^([0-9]*\.?[0-9]+)(ns|us|µs|μs|ms|s|m|h)?/;
  while (rest !== '') {
    const m = re.exec(rest);
    if (!m) return `time: invalid duration ${JSON.stringify(s)}`;
    const unit = m[2];
    if (unit === undefined) return `time: missing unit in duration ${JSON.stringify(s)}`;
    total += Number(m[1]) * (units[unit] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

/** keep_alive → milliseconds (negative = forever), or an error text. */
function keepAliveMs(v: unknown): number | { error: string } | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v < 0 ? FOREVER_MS : v * 1000;
  if (typeof v === 'string') {
    const d = parseGoDuration(v);
    if (typeof d === 'string') return { error: d };
    return d < 0 ? FOREVER_MS : d;
  }
  return { error: 'invalid duration' };
}

function thinkValue(v: unknown): boolean | { error: string } | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && ['high', 'medium', 'low', 'max'].includes(v)) return true;
  return { error: `invalid think value: ${JSON.stringify(v)} (must be "high", "medium", "low", true, or false)` };
}

// ---------------------------------------------------------------- thinking parser

/** Moves a leading <think>…</think> block into `thinking` (emulates Ollama's thinking parser). */
class ThinkingParser {
  private state: 'start' | 'thinking' | 'after' | 'content' = 'start';
  private buf = '';
  add(s: string, done: boolean): { thinking: string; content: string } {
    this.buf += s;
    let thinking = '';
    let content = '';
    for (;;) {
      if (this.state === 'start') {
        const t = this.buf.trimStart();
        if (t.startsWith('<think>')) {
          this.buf = t.slice('<think>'.length);
          this.state = 'thinking';
          continue;
        }
        if (!done && '<think>'.startsWith(t)) return { thinking, content };
        this.state = 'content';
        continue;
      }
      if (this.state === 'thinking') {
        const i = this.buf.indexOf('</think>');
        if (i >= 0) {
          thinking += this.buf.slice(0, i);
          this.buf = this.buf.slice(i + '</think>'.length);
          this.state = 'after';
          continue;
        }
        let hold = 0;
        if (!done) for (let k = Math.min(7, this.buf.length); k > 0; k--) if ('</think>'.startsWith(this.buf.slice(-k))) { hold = k; break; }
        thinking += this.buf.slice(0, this.buf.length - hold);
        this.buf = this.buf.slice(this.buf.length - hold);
        return { thinking, content };
      }
      if (this.state === 'after') {
        const t = this.buf.trimStart();
        if (t === '' && !done) {
          this.buf = '';
          return { thinking, content };
        }
        this.buf = t;
        this.state = 'content';
        continue;
      }
      content += this.buf;
      this.buf = '';
      return { thinking, content };
    }
  }
}

// ---------------------------------------------------------------- the server

interface Loaded {
  expiresAt: number;
  runnerKey: string;
  numCtx: number;
}

interface ReqCtx {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  fault: PendingFault | undefined;
  aborted: boolean;
  firstByteDelay: number;
  wrote: boolean;
  /** A stall fault fired: the response stays open (and keeps its slot) until the client goes away. */
  stalled: boolean;
  started: number;
  note: string;
}

function numOpt(opts: Json, key: string, dflt: number): number {
  const v = opts[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : dflt;
}

export async function startOllamaDouble(options: DoubleOptions): Promise<OllamaDouble> {
  const version = options.version ?? '0.13.0';
  const profile: ProfileName = options.profile ?? profileForVersion(version);
  const host = options.host ?? '127.0.0.1';
  const parallel = Math.max(1, Math.floor(options.parallel ?? 1));
  const maxQueue = Math.max(0, Math.floor(options.maxQueue ?? 512));
  const latencyMs = options.latencyMs ?? 0;
  const tokenLatencyMs = options.tokenLatencyMs ?? 0;
  const float32 = options.float32Logprobs ?? true;
  const maxTokens = options.maxTokens ?? 256;
  const log = options.log ?? ((): void => undefined);

  const models = new Map<string, CompiledModel>();
  const pullable = new Map<string, ScriptedModel>();
  const loaded = new Map<string, Loaded>();
  const promptTokenNs = options.promptTokenNs ?? 20_000;
  const uncachedTokenMs = options.uncachedTokenMs ?? 0;
  const caches = new PromptCaches(parallel);
  const slotClock = new SlotClock();
  let faults: PendingFault[] = [];
  const counters: DoubleCounters = { requests: 0, generate: 0, byPath: {}, byModel: {}, maxConcurrent: 0, tokens: 0, loads: 0, promptTokens: 0, cachedPromptTokens: 0 };
  const requests: LoggedRequest[] = [];
  const live = new Set<ReqCtx>();
  const timers = new Set<{ t: NodeJS.Timeout; done: () => void }>();
  const sockets = new Set<Socket>();

  let active = 0;
  const waiters: Array<{ grant: (ok: boolean) => void }> = [];

  const addModel = (m: ScriptedModel): void => {
    const c = compileModel(m);
    models.set(nameKey(c.name), c);
  };
  for (const m of options.models) addModel(m);
  for (const m of options.pullable ?? []) pullable.set(nameKey(servedName(m.name)), m);

  const resolve = (name: unknown): CompiledModel | undefined => (typeof name === 'string' ? models.get(nameKey(name)) : undefined);

  function sleep(ms: number, ctx?: ReqCtx): Promise<void> {
    if (!(ms > 0)) return Promise.resolve();
    return new Promise((res) => {
      const entry = {
        t: setTimeout(() => entry.done(), ms),
        done: (): void => {
          clearTimeout(entry.t);
          timers.delete(entry);
          ctx?.res.off('close', entry.done);
          res();
        },
      };
      timers.add(entry);
      ctx?.res.once('close', entry.done);
    });
  }

  function takeFault(path: string): PendingFault | undefined {
    const i = faults.findIndex((f) => (f.path ?? '/api/generate') === path);
    const f = faults[i];
    if (i < 0 || f === undefined) return undefined;
    f.remaining--;
    if (f.remaining <= 0) faults.splice(i, 1);
    return f;
  }

  // ---- slots (OLLAMA_NUM_PARALLEL) and queue (OLLAMA_MAX_QUEUE)
  function acquire(ctx: ReqCtx): Promise<'ok' | 'busy' | 'gone'> {
    if (active < parallel) {
      active++;
      slotClock.change(active);
      counters.maxConcurrent = Math.max(counters.maxConcurrent, active);
      return Promise.resolve('ok');
    }
    if (waiters.length >= maxQueue) return Promise.resolve('busy');
    return new Promise((res) => {
      const w = {
        grant: (ok: boolean): void => {
          ctx.res.off('close', onClose);
          res(ok ? 'ok' : 'gone');
        },
      };
      const onClose = (): void => {
        const i = waiters.indexOf(w);
        if (i >= 0) waiters.splice(i, 1);
        res('gone');
      };
      ctx.res.once('close', onClose);
      waiters.push(w);
    });
  }
  function release(): void {
    const w = waiters.shift();
    if (w) {
      counters.maxConcurrent = Math.max(counters.maxConcurrent, active);
      w.grant(true); // the slot passes straight to the next waiter
    } else {
      active--;
      slotClock.change(active);
    }
  }

  // ---- writing
  async function firstByte(ctx: ReqCtx): Promise<void> {
    if (ctx.firstByteDelay > 0) {
      const d = ctx.firstByteDelay;
      ctx.firstByteDelay = 0;
      await sleep(d, ctx);
    }
  }

  function setCommonHeaders(res: ServerResponse): void {
    res.setHeader('X-Ollama-Double', 'test double, not a real model');
  }

  async function sendJSON(ctx: ReqCtx, status: number, obj: unknown, success = status < 400): Promise<void> {
    await firstByte(ctx);
    if (ctx.aborted) return;
    const f = success ? ctx.fault : undefined;
    if (f && (f.kind === 'stall' || f.kind === 'reset' || f.kind === 'errorMidStream' || f.kind === 'malformedLine')) {
      ctx.note = `fault:${f.kind}`;
      if (f.kind === 'stall') {
        ctx.stalled = true; // never answer
        return;
      }
      if (f.kind === 'reset') {
        ctx.req.socket.destroy();
        return;
      }
      if (f.kind === 'errorMidStream') {
        obj = { error: f.error ?? defaultErrorMessage(500) };
        status = 500;
      } else {
        const text = JSON.stringify(obj);
        ctx.res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
        ctx.wrote = true;
        ctx.res.end(`${text.slice(0, Math.max(1, Math.floor(text.length / 2)))} <- ollama-double: malformed body`);
        return;
      }
    }
    const body = JSON.stringify(obj);
    ctx.res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    ctx.wrote = true;
    ctx.res.end(body);
  }

  function sendError(ctx: ReqCtx, status: number, error: string): Promise<void> {
    return sendJSON(ctx, status, { error }, false);
  }

  function sendText(ctx: ReqCtx, status: number, text: string): Promise<void> {
    return firstByte(ctx).then(() => {
      if (ctx.aborted) return;
      ctx.res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      ctx.wrote = true;
      ctx.res.end(text);
    });
  }

  /** NDJSON stream with fault injection. `line()` returns false once the stream is over. */
  function ndjson(ctx: ReqCtx): { line(obj: unknown, final: boolean): Promise<boolean>; error(msg: string): Promise<void> } {
    let index = 0;
    let over = false;
    let flushed: Promise<void> = Promise.resolve();
    const write = async (text: string): Promise<void> => {
      if (!ctx.wrote) {
        ctx.res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
        ctx.wrote = true;
      }
      let ok = true;
      flushed = new Promise<void>((r) => {
        ok = ctx.res.write(text, () => r());
      });
      if (!ok) {
        await new Promise<void>((r) => {
          const done = (): void => {
            ctx.res.off('drain', done);
            ctx.res.off('close', done);
            r();
          };
          ctx.res.once('drain', done);
          ctx.res.once('close', done);
        });
      }
    };
    const errorLine = async (msg: string): Promise<void> => {
      over = true;
      if (!ctx.wrote) {
        // Ollama's streamResponse: an error before any content gets a real status code.
        await sendJSON(ctx, 500, { error: msg }, false);
        return;
      }
      await write(`${JSON.stringify({ error: msg })}\n`);
      ctx.res.end();
    };
    return {
      async line(obj: unknown, final: boolean): Promise<boolean> {
        if (over || ctx.aborted) return false;
        await firstByte(ctx);
        if (ctx.aborted) return false;
        const f = ctx.fault;
        if (f && 'afterChunks' in f && (index === f.afterChunks || (final && index < f.afterChunks))) {
          ctx.fault = undefined;
          ctx.note = `fault:${f.kind}@${index}`;
          if (f.kind === 'stall') {
            over = true; // nothing more is written (no headers either if nothing was written yet)
            ctx.stalled = true;
            return false;
          }
          if (f.kind === 'reset') {
            over = true;
            // Let the lines already written reach the client, then drop the connection.
            await Promise.race([flushed, sleep(200)]);
            await sleep(20);
            ctx.req.socket.destroy();
            return false;
          }
          if (f.kind === 'errorMidStream') {
            await errorLine(f.error ?? defaultErrorMessage(500));
            return false;
          }
          if (f.kind === 'malformedLine') await write('{"model": ollama-double malformed line, not JSON\n');
        }
        await write(`${JSON.stringify(obj)}\n`);
        index++;
        if (final) {
          over = true;
          ctx.res.end();
        }
        return true;
      },
      error: errorLine,
    };
  }

  // ---- routes
  function tagEntry(m: CompiledModel): Json {
    return {
      name: m.name,
      model: m.name,
      modified_at: goTime(m.modifiedAt),
      size: m.size,
      digest: m.digest,
      details: {
        parent_model: '',
        format: 'gguf',
        family: m.family,
        families: [m.family],
        parameter_size: m.parameterSize,
        quantization_level: 'Q4_K_M',
      },
    };
  }

  function isLoaded(name: string): Loaded | undefined {
    const l = loaded.get(name);
    if (l && l.expiresAt > Date.now()) return l;
    if (l) loaded.delete(name);
    return undefined;
  }

  function formatParameters(p: ScriptedModel['parameters']): string {
    const lines: string[] = [];
    for (const [k, v] of Object.entries(p ?? {})) {
      const vals = Array.isArray(v) ? v : [v];
      // Ollama: fmt.Sprintf("%-*s %#v", 30, k, v): Go-quoted strings ("\n\n" prints as `"\n\n"`).
      for (const x of vals) lines.push(`${k.padEnd(30)} ${goValue(x)}`);
    }
    return lines.join('\n');
  }

  async function handleShow(ctx: ReqCtx, body: Json): Promise<void> {
    const name = typeof body.model === 'string' && body.model !== '' ? body.model : typeof body.name === 'string' ? body.name : '';
    if (name === '') return sendError(ctx, 400, 'model is required');
    const m = resolve(name);
    if (!m) return sendError(ctx, 404, `model '${name}' not found`);
    const params = formatParameters(m.spec.parameters);
    return sendJSON(ctx, 200, {
      modelfile:
        `# Ollama test double — scripted model, not a real model.\n# Served by test/double (ollama-double).\nFROM ${m.name}\nTEMPLATE """{{ .Prompt }}"""\n` +
        Object.entries(m.spec.parameters ?? {})
          .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `PARAMETER ${k} ${goValue(x)}\n`))
          .join(''),
      ...(params ? { parameters: params } : {}),
      template: '{{ .Prompt }}',
      details: (tagEntry(m).details as Json),
      model_info: {
        'general.architecture': 'double',
        'general.basename': 'ollama-double',
        'general.parameter_count': 0,
        'double.context_length': CONTEXT_LENGTH,
        'tokenizer.ggml.model': 'double-toy',
        'tokenizer.ggml.tokens': [],
      },
      capabilities: m.capabilities,
      modified_at: goTime(m.modifiedAt),
    });
  }

  async function handlePs(ctx: ReqCtx): Promise<void> {
    const out: Json[] = [];
    for (const [name, l] of [...loaded]) {
      const m = models.get(nameKey(name));
      if (!m || !isLoaded(name)) continue;
      const t = tagEntry(m);
      out.push({
        name: m.name,
        model: m.name,
        size: m.size,
        digest: m.digest,
        details: t.details,
        expires_at: goTime(new Date(l.expiresAt)),
        size_vram: m.size,
        context_length: l.numCtx,
      });
    }
    return sendJSON(ctx, 200, { models: out });
  }

  async function handlePull(ctx: ReqCtx, body: Json): Promise<void> {
    const name = typeof body.model === 'string' && body.model !== '' ? body.model : typeof body.name === 'string' ? body.name : '';
    if (name.trim() === '') return sendError(ctx, 400, 'invalid model name');
    const stream = body.stream !== false;
    const key = nameKey(name);
    const spec = pullable.get(key) ?? models.get(key)?.spec;
    const notFound = 'pull model manifest: file does not exist';
    const compiled = spec ? compileModel(spec) : undefined;
    const lines: Json[] = [{ status: 'pulling manifest' }];
    if (compiled) {
      const total = compiled.size;
      const digest = `sha256:${compiled.digest}`;
      const status = `pulling ${compiled.digest.slice(0, 12)}`;
      lines.push({ status, digest, total });
      for (const k of [1, 2, 3, 4]) lines.push({ status, digest, total, completed: Math.round((total * k) / 4) });
      lines.push({ status: 'verifying sha256 digest' }, { status: 'writing manifest' }, { status: 'success' });
    }
    const finish = (): void => {
      if (spec) addModel(spec);
    };
    if (!stream) {
      if (!compiled) return sendError(ctx, 500, notFound);
      finish();
      return sendJSON(ctx, 200, { status: 'success' });
    }
    const out = ndjson(ctx);
    for (let i = 0; i < lines.length; i++) {
      const last = i === lines.length - 1;
      if (!(await out.line(lines[i], last && compiled !== undefined))) return;
      if (options.tokenLatencyMs) await sleep(options.tokenLatencyMs, ctx);
    }
    if (!compiled) return out.error(notFound);
    finish();
  }

  async function handleDelete(ctx: ReqCtx, body: Json): Promise<void> {
    const name = typeof body.model === 'string' && body.model !== '' ? body.model : typeof body.name === 'string' ? body.name : '';
    const m = resolve(name);
    if (!m) return sendError(ctx, 404, `model '${name}' not found`);
    models.delete(nameKey(m.name));
    loaded.delete(m.name);
    await firstByte(ctx);
    ctx.res.writeHead(200, { 'Content-Length': 0 });
    ctx.wrote = true;
    ctx.res.end();
  }

  const GEN_FIELDS: Record<string, FieldType> = {
    model: 'string', prompt: 'string', suffix: 'string', system: 'string', template: 'string',
    context: 'int[]', stream: 'bool', raw: 'bool', format: 'any', keep_alive: 'any', images: 'string[]',
    options: 'object', think: 'any', truncate: 'bool', shift: 'bool', logprobs: 'bool', top_logprobs: 'int',
    _debug_render_only: 'bool',
  };

  function leasePrompt(ctx: ReqCtx, model: string, tokens: string[]): CacheLease {
    const lease = caches.lease(model, tokens);
    counters.promptTokens += lease.promptTokens;
    counters.cachedPromptTokens += lease.cached;
    ctx.note += ` slot=${lease.slot} cached=${lease.cached}/${lease.promptTokens}`;
    return lease;
  }

  async function handleGenerate(ctx: ReqCtx, text: string): Promise<void> {
    counters.generate++;
    const decoded = decodeBody(text);
    if (!decoded.ok) return sendError(ctx, 400, decoded.error);
    const typeErr = checkFields('GenerateRequest', decoded.value, GEN_FIELDS);
    if (typeErr) return sendError(ctx, 400, typeErr);
    const body = decoded.value as Json;
    const keepAlive = keepAliveMs(body.keep_alive);
    if (typeof keepAlive === 'object') return sendError(ctx, 400, keepAlive.error);
    const think = thinkValue(body.think);
    if (typeof think === 'object') return sendError(ctx, 400, think.error);

    const reqModel = typeof body.model === 'string' ? body.model : '';
    const prompt = typeof body.prompt === 'string' ? body.prompt : '';
    const raw = body.raw === true;
    const topLogprobs = typeof body.top_logprobs === 'number' ? body.top_logprobs : 0;
    const logprobs = body.logprobs === true;
    const stream = body.stream !== false;
    const system = typeof body.system === 'string' ? body.system : '';
    const template = typeof body.template === 'string' ? body.template : '';
    const context = Array.isArray(body.context) ? (body.context as number[]) : undefined;
    const suffix = typeof body.suffix === 'string' ? body.suffix : '';

    // Ollama's order: body → top_logprobs → model lookup → unload → raw → capabilities.
    if (topLogprobs < 0 || topLogprobs > 20) return sendError(ctx, 400, 'top_logprobs must be between 0 and 20');
    const model = resolve(reqModel);
    counters.byModel[model?.name ?? reqModel] = (counters.byModel[model?.name ?? reqModel] ?? 0) + 1;
    ctx.note = `model=${reqModel}`;
    if (!model) return sendError(ctx, 404, `model '${reqModel}' not found`);

    if (prompt === '' && keepAlive === 0) {
      loaded.delete(model.name);
      return sendJSON(ctx, 200, { model: reqModel, created_at: goTime(), response: '', done: true, done_reason: 'unload' });
    }
    if (raw && (template !== '' || system !== '' || (context !== undefined && context.length > 0))) {
      return sendError(ctx, 400, 'raw mode does not support template, system, or context');
    }
    let thinking = false;
    if (model.capabilities.includes('thinking')) thinking = think === undefined ? true : think;
    else if (think === true) return sendError(ctx, 400, `${JSON.stringify(reqModel)} does not support thinking`);
    if (!model.capabilities.includes('completion')) return sendError(ctx, 400, `${JSON.stringify(reqModel)} does not support generate`);
    if (suffix !== '' && !model.capabilities.includes('insert')) return sendError(ctx, 400, `${JSON.stringify(reqModel)} does not support insert`);

    // Options: defaults ← Modelfile parameters ← request options.
    const opts: Json = { ...(model.spec.parameters ?? {}), ...((body.options as Json | undefined) ?? {}) };
    const sampler: SamplerOptions = {
      temperature: numOpt(opts, 'temperature', 0.8),
      topK: Math.trunc(numOpt(opts, 'top_k', 40)),
      topP: numOpt(opts, 'top_p', 0.9),
      minP: numOpt(opts, 'min_p', 0),
    };
    const seed = Math.trunc(numOpt(opts, 'seed', -1));
    const numPredict = Math.trunc(numOpt(opts, 'num_predict', -1));
    const stopOpt = opts.stop;
    const stops = Array.isArray(stopOpt) ? stopOpt.filter((s): s is string => typeof s === 'string' && s !== '') : typeof stopOpt === 'string' && stopOpt !== '' ? [stopOpt] : [];
    const numCtx = Math.max(1, Math.trunc(numOpt(opts, 'num_ctx', CONTEXT_LENGTH)));
    const numKeep = Math.max(0, Math.trunc(numOpt(opts, 'num_keep', NUM_KEEP)));
    const truncate = body.truncate !== false;
    const runnerKey = JSON.stringify(RUNNER_KEYS.map((k) => opts[k] ?? null));

    const rendered = raw ? prompt : `${context ? detokenize(context) : ''}${prompt}`;
    const evaluated = prompt === '' || body._debug_render_only === true ? undefined : fitToContext(rendered, numCtx, numKeep, truncate, profile);

    // Scheduler: slot or queue.
    const got = await acquire(ctx);
    if (got === 'busy') return sendError(ctx, 503, BUSY);
    if (got === 'gone') return;
    try {
      const prev = isLoaded(model.name);
      const reload = !prev || prev.runnerKey !== runnerKey;
      if (reload) {
        counters.loads++;
        caches.drop(model.name); // a fresh runner has an empty cache
      }
      loaded.set(model.name, { expiresAt: Date.now() + FOREVER_MS, runnerKey, numCtx });
      // As in the runner, the cache slot is taken on admission and held while the request runs (latency included).
      const lease = evaluated && 'tokens' in evaluated ? leasePrompt(ctx, model.name, evaluated.tokens) : undefined;
      try {
        await sleep(latencyMs, ctx);
        if (ctx.aborted) return;
        await runGenerate(reload ? Math.max(1, Math.round((performance.now() - ctx.started) * 1e6)) : 0, lease);
      } finally {
        lease?.release();
        const ka = keepAlive ?? DEFAULT_KEEP_ALIVE_MS;
        if (ka === 0) loaded.delete(model.name);
        else loaded.set(model.name, { expiresAt: Date.now() + ka, runnerKey, numCtx });
      }

      async function runGenerate(loadNs: number, lease: CacheLease | undefined): Promise<void> {
        if (!model) return;
        if (prompt === '') {
          await sendJSON(ctx, 200, { model: reqModel, created_at: goTime(), response: '', done: true, done_reason: 'load' });
          return;
        }
        if (body._debug_render_only === true) {
          await sendJSON(ctx, 200, {
            model: reqModel,
            created_at: goTime(),
            response: '',
            done: false,
            _debug_info: { rendered_template: rendered, image_count: Array.isArray(body.images) ? body.images.length : 0 },
          });
          return;
        }
        if (!evaluated || 'error' in evaluated) {
          await sendError(ctx, 400, evaluated?.error ?? 'no prompt');
          return;
        }
        if (evaluated.truncated) ctx.note += ` truncated to ${evaluated.tokens.length} tokens`;
        await generate(ctx, model, {
          reqModel, rendered: evaluated.rendered, promptTokens: evaluated.tokens, raw, stream, logprobs, topLogprobs, sampler, seed, numPredict, stops, thinking, loadNs,
          uncached: lease?.uncached ?? 1, finished: () => lease?.release(),
        });
      }
    } finally {
      if (ctx.stalled && !ctx.aborted && !ctx.res.destroyed) await new Promise<void>((r) => ctx.res.once('close', () => r()));
      release();
    }
  }

  interface GenParams {
    reqModel: string;
    rendered: string;
    promptTokens: string[];
    raw: boolean;
    stream: boolean;
    logprobs: boolean;
    topLogprobs: number;
    sampler: SamplerOptions;
    seed: number;
    numPredict: number;
    stops: string[];
    thinking: boolean;
    loadNs: number;
    /** Prompt tokens not served from the cache (≥ 1). */
    uncached: number;
    /** The sequence is done: frees its cache slot. */
    finished: () => void;
  }

  function lp(p: number): number {
    const v = Math.log(p);
    return float32 ? Math.fround(v) : v;
  }

  /**
   * A piece as the profile's server writes it in a logprobs entry:
   * - go: control/end tokens by their literal text; invalid UTF-8 as one U+FFFD per byte (Go's JSON);
   * - llama-server: control/end tokens as ""; a trailing incomplete lead sequence cut off
   *   (validate_utf8), stray continuation bytes as U+FFFD (JSON replace).
   * `bytes` is the UTF-8 of that text, omitted when it is "" (Ollama recomputes it from the text).
   */
  function pieceText(piece: Piece): string {
    if (profile === 'go') return piece.kind === 'text' ? sanitizePerByte(piece.bin) : piece.name;
    if (piece.kind !== 'text') return '';
    return sanitizePerByte(piece.bin.slice(0, incompleteTailStart(piece.bin)));
  }

  function entry(piece: Piece, p: number): Json {
    const token = pieceText(piece);
    const e: Json = { token, logprob: lp(p) };
    if (token !== '') e.bytes = [...Buffer.from(token, 'utf8')];
    return e;
  }

  function logprobEntry(dist: NormDist, rank: number, top: number): Json {
    const chosen = atRank(dist, rank);
    const e = entry(chosen.piece, chosen.prob);
    if (top > 0) {
      const n = Math.min(top, dist.pieces.length + dist.fillerCount);
      e.top_logprobs = Array.from({ length: n }, (_, r) => {
        const a = atRank(dist, r);
        return entry(a.piece, a.prob);
      });
    }
    return e;
  }

  const utf8Text = (bin: string): string => sanitizePerByte(bin);

  async function generate(ctx: ReqCtx, model: CompiledModel, g: GenParams): Promise<void> {
    const t0 = performance.now();
    const rng: Rng = g.seed === -1 ? randomRng() : rngFromString(`${g.seed}\u0000${g.rendered}`);
    const limit = g.numPredict > 0 ? g.numPredict : maxTokens;
    const parser = g.thinking ? new ThinkingParser() : undefined;
    const out = g.stream ? ndjson(ctx) : undefined;
    const promptEvalCount = Math.max(1, g.promptTokens.length);
    // The cost model: uncachedTokenMs per evaluated token is really spent (and measured); else only reported.
    if (uncachedTokenMs > 0) await sleep(uncachedTokenMs * g.uncached, ctx);
    if (ctx.aborted) return;
    const promptEvalNs = uncachedTokenMs > 0 ? 0 : g.uncached * promptTokenNs;
    const tPromptDone = performance.now();
    const renderedBin = toBin(g.rendered);
    const stopBins = g.stops.map(toBin);
    const holdsStopPrefix = (bin: string): boolean => stopBins.some((s) => Array.from({ length: s.length }, (_, i) => s.slice(0, i + 1)).some((pre) => bin.endsWith(pre)));

    let modelBin = ''; // everything generated so far, as the model conditions on it
    const path: Piece[] = []; // the generated pieces (tokenizer-aware models)
    let responseText = ''; // what was sent (after stop truncation)
    const allLogprobs: Json[] = [];
    // go: pieces held back (stop prefix, incomplete UTF-8) with their entries; llama-server: unsent bytes.
    let pending: string[] = [];
    let pendingLp: Json[] = [];
    let unsent = '';
    let outBin = ''; // llama-server: the text generated so far (control tokens add nothing)
    let steps = 0;
    let doneReason: 'stop' | 'length' = 'length';

    const send = async (text: string, lps: Json[], final: boolean): Promise<boolean> => {
      let resp = text;
      let th = '';
      if (parser && out) {
        const r = parser.add(text, final);
        resp = r.content;
        th = r.thinking;
      }
      responseText += text;
      if (text === '' && lps.length === 0 && th === '' && resp === '') return true;
      if (!out) {
        allLogprobs.push(...lps);
        return true;
      }
      const chunk: Json = { model: g.reqModel, created_at: goTime(), response: resp };
      if (th !== '') chunk.thinking = th;
      chunk.done = false;
      if (lps.length > 0) chunk.logprobs = lps;
      return out.line(chunk, false);
    };

    /** go: send the held pieces with all their entries. At the end, trailing invalid bytes are trimmed and an empty text sends nothing (flushPending). */
    const flushGo = async (final: boolean): Promise<boolean> => {
      let joined = pending.join('');
      const lps = pendingLp;
      pending = [];
      pendingLp = [];
      if (final) {
        joined = trimToValid(joined);
        if (joined === '') return final && parser && out ? send('', [], true) : true;
      }
      return send(utf8Text(joined), lps, final);
    };

    for (;;) {
      if (steps >= limit) {
        doneReason = 'length';
        break;
      }
      if (tokenLatencyMs > 0) await sleep(tokenLatencyMs, ctx);
      if (ctx.aborted) return;
      const stateBin = renderedBin + modelBin;
      const canonical = !model.offPath || isCanonicalPath(g.rendered, g.promptTokens, path);
      const dist = canonical || !model.offPath ? model.lookup(stateBin) : model.offPath(stateBin, pathKeyOf(g.rendered, path.map((p) => p.bin)));
      const rank = sampleRank(dist, g.sampler, rng());
      steps++;
      counters.tokens++;
      const { piece } = atRank(dist, rank);
      if (piece.kind === 'end') {
        doneReason = 'stop'; // a sampled end token gets no logprob entry (both generations)
        break;
      }
      modelBin += piece.bin;
      path.push(piece);
      const lpe = g.logprobs ? logprobEntry(dist, rank, g.topLogprobs) : undefined;

      if (profile === 'go') {
        pending.push(piece.bin);
        if (lpe) pendingLp.push(lpe);
        const joined = pending.join('');
        const stop = stopBins.find((s) => joined.includes(s));
        if (stop !== undefined) {
          // TruncateStop: cut the text at the stop; keep the pieces (and logprobs) that start before it.
          const cut = joined.slice(0, joined.indexOf(stop));
          const kept: string[] = [];
          let start = 0;
          for (const p of pending) {
            if (start >= cut.length) break;
            kept.push(cut.slice(start, start + p.length));
            start += p.length;
          }
          pendingLp = pendingLp.slice(0, kept.length);
          pending = kept;
          doneReason = 'stop';
          break;
        }
        if (holdsStopPrefix(joined)) continue;
        if (endsIncomplete(joined)) continue; // common.IncompleteUnicode: wait for the rest of the character
        if (!(await flushGo(false))) return;
        continue;
      }

      // llama-server: a control token's text is "", an incomplete character is held; a chunk whose
      // text is "" is dropped by Ollama together with its entry.
      const add = piece.kind === 'text' ? piece.bin : '';
      outBin += add;
      unsent += add;
      if (endsIncomplete(outBin)) continue;
      const stop = stopBins.find((s) => unsent.includes(s));
      if (stop !== undefined) {
        // A full match: the text before the stop goes out with this token's entry; nothing left → both dropped.
        const text = unsent.slice(0, unsent.indexOf(stop));
        unsent = '';
        if (text !== '' && !(await send(utf8Text(text), lpe ? [lpe] : [], false))) return;
        doneReason = 'stop';
        break;
      }
      if (holdsStopPrefix(unsent)) continue;
      if (unsent !== '') {
        const text = unsent;
        unsent = '';
        if (!(await send(utf8Text(text), lpe ? [lpe] : [], false))) return;
      }
    }
    // go: flushPending at the end; llama-server: held text is never sent.
    if (profile === 'go') {
      if (!(await flushGo(true))) return;
    } else if (parser && out && !(await send('', [], true))) return;

    const now = performance.now();
    g.finished(); // the runner frees the cache slot (removeSequence) before the handler writes the done chunk
    const final: Json = { model: g.reqModel, created_at: goTime(), response: '' };
    final.done = true;
    final.done_reason = doneReason;
    if (!g.raw) final.context = tokenIds(g.rendered + responseText);
    final.total_duration = Math.max(1, Math.round((now - ctx.started) * 1e6));
    if (g.loadNs > 0) final.load_duration = g.loadNs;
    final.prompt_eval_count = promptEvalCount;
    final.prompt_eval_duration = Math.max(1, Math.round((tPromptDone - t0) * 1e6 + promptEvalNs));
    if (steps > 0) {
      final.eval_count = steps;
      final.eval_duration = Math.max(1, Math.round((now - tPromptDone) * 1e6));
    }
    if (out) {
      await out.line(final, true);
      return;
    }
    const whole: Json = { model: g.reqModel, created_at: final.created_at, response: responseText };
    if (parser) {
      // Non-streaming: re-run the parser over the whole text for a consistent split.
      const p2 = new ThinkingParser().add(responseText, true);
      whole.response = p2.content;
      if (p2.thinking !== '') whole.thinking = p2.thinking;
    }
    for (const [k, v] of Object.entries(final)) if (!(k in whole)) whole[k] = v;
    if (allLogprobs.length > 0) whole.logprobs = allLogprobs;
    await sendJSON(ctx, 200, whole);
  }

  // ---- dispatcher
  async function route(ctx: ReqCtx, method: string, text: string): Promise<void> {
    const { path } = ctx;
    const get = method === 'GET' || method === 'HEAD';
    const jsonBody = (): Json | string => {
      const d = decodeBody(text);
      if (!d.ok) return d.error;
      if (typeof d.value !== 'object' || d.value === null || Array.isArray(d.value)) return `json: cannot unmarshal ${jsonTypeName(d.value)} into Go value of type api.Request`;
      return d.value as Json;
    };
    if (path === '/' && get) return sendText(ctx, 200, 'Ollama is running');
    if (path === '/api/version' && get) return sendJSON(ctx, 200, { version });
    if (path === '/api/tags' && get) {
      const list = [...models.values()].sort((a, b) => b.modifiedAt.getTime() - a.modifiedAt.getTime()).map(tagEntry);
      return sendJSON(ctx, 200, { models: list });
    }
    if (path === '/api/ps' && method === 'GET') return handlePs(ctx);
    if (path === '/api/generate' && method === 'POST') return handleGenerate(ctx, text);
    if (path === '/api/show' && method === 'POST') {
      const b = jsonBody();
      return typeof b === 'string' ? sendError(ctx, 400, b) : handleShow(ctx, b);
    }
    if (path === '/api/pull' && method === 'POST') {
      const b = jsonBody();
      return typeof b === 'string' ? sendError(ctx, 400, b) : handlePull(ctx, b);
    }
    if (path === '/api/delete' && method === 'DELETE') {
      const b = jsonBody();
      return typeof b === 'string' ? sendError(ctx, 400, b) : handleDelete(ctx, b);
    }
    return sendText(ctx, 404, '404 page not found');
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    let path = '/';
    try {
      path = new URL(req.url ?? '/', 'http://double').pathname;
    } catch {
      /* keep "/" */
    }
    counters.requests++;
    counters.byPath[path] = (counters.byPath[path] ?? 0) + 1;
    setCommonHeaders(res);
    const ctx: ReqCtx = { req, res, path, fault: takeFault(path), aborted: false, firstByteDelay: 0, wrote: false, stalled: false, started: performance.now(), note: '' };
    live.add(ctx);
    res.on('close', () => {
      if (!res.writableFinished) ctx.aborted = true;
      live.delete(ctx);
      log(`${TAG} ${method} ${path} ${ctx.wrote ? res.statusCode : '---'} ${Math.round(performance.now() - ctx.started)}ms${ctx.note ? ` ${ctx.note}` : ''}${ctx.aborted ? ' (aborted)' : ''}`);
    });
    if (ctx.fault?.kind === 'refuse') {
      ctx.note = 'fault:refuse';
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    try {
      for await (const c of req) chunks.push(c as Buffer);
    } catch {
      return; // the client went away while sending
    }
    const text = Buffer.concat(chunks).toString('utf8');
    let logged: unknown = undefined;
    if (text.trim() !== '') {
      try {
        logged = JSON.parse(text) as unknown;
      } catch {
        logged = text;
      }
    }
    requests.push({ method, path, body: logged });
    const f = ctx.fault;
    if (f?.kind === 'status') {
      ctx.note = `fault:status ${f.status}`;
      return sendError(ctx, f.status, f.error ?? defaultErrorMessage(f.status));
    }
    if (f?.kind === 'slowFirstByte') {
      ctx.firstByteDelay = f.delayMs;
      ctx.note = `fault:slowFirstByte ${f.delayMs}ms`;
    }
    await route(ctx, method, text);
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((err: unknown) => {
      log(`${TAG} internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'Content-Type': 'application/json; charset=utf-8' });
        res.end(JSON.stringify({ error: `ollama-double internal error: ${err instanceof Error ? err.message : String(err)}` }));
      } else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const listen = (port: number): Promise<number> =>
    new Promise((res, rej) => {
      const onErr = (e: Error): void => rej(e);
      server.once('error', onErr);
      server.listen(port, host, () => {
        server.off('error', onErr);
        const a = server.address();
        res(typeof a === 'object' && a ? a.port : port);
      });
    });

  const port = await listen(options.port ?? 0);
  let listening = true;

  const stop = async (): Promise<void> => {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((r) => server.close(() => r()));
    for (const ctx of live) ctx.aborted = true;
    for (const t of [...timers]) t.done();
    for (const w of waiters.splice(0)) w.grant(false);
    for (const s of sockets) s.destroy();
    server.closeAllConnections();
    await closed;
  };

  const double: OllamaDouble = {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    version,
    profile,
    close: stop,
    suspend: stop,
    async resume(): Promise<void> {
      if (listening) return;
      await listen(port);
      listening = true;
    },
    counters,
    requests,
    slotBusyMs: (from?: number, to?: number): number => slotClock.busyMs(from, to),
    get slotClockSince(): number {
      return slotClock.since;
    },
    cachedPrompts: (model: string): string[][] => caches.contents(resolve(model)?.name ?? model),
    resetCounters(): void {
      counters.requests = 0;
      counters.generate = 0;
      counters.byPath = {};
      counters.byModel = {};
      counters.maxConcurrent = active;
      counters.tokens = 0;
      counters.loads = 0;
      counters.promptTokens = 0;
      counters.cachedPromptTokens = 0;
      slotClock.reset();
      requests.length = 0;
    },
    inject(fault: Fault): void {
      faults.push({ ...fault, remaining: Math.max(1, Math.floor(fault.count ?? 1)) });
    },
    clearFaults(): void {
      faults = [];
    },
    get faults(): ReadonlyArray<Fault> {
      return faults;
    },
    addModel,
    removeModel(name: string): void {
      const m = resolve(name) ?? resolve(servedName(name));
      if (!m) return;
      models.delete(nameKey(m.name));
      loaded.delete(m.name);
    },
    modelNames(): string[] {
      return [...models.values()].map((m) => m.name);
    },
    truth(model: string, prompt: string, answer: string, opts?: TruthOptions): number {
      const m = resolve(model) ?? resolve(servedName(model));
      if (!m) throw new Error(`ollama-double: no model ${JSON.stringify(model)}`);
      return groundTruth(m.spec, prompt, answer, opts);
    },
  };
  log(`${TAG} Ollama TEST DOUBLE (scripted, not a real model) listening on ${double.url} (version ${version}, ${profile} profile)`);
  return double;
}
