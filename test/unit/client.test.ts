// The Ollama client against the Ollama TEST DOUBLE: every failure mode maps to a clear error kind.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { OllamaClient } from '../../src/core/ollama/client';
import { findModel } from '../../src/core/ollama/modelName';
import { OllamaError, pullError } from '../../src/core/ollama/errors';
import { DEFAULT_FILLER_PROB, DEFAULT_VOCAB_SIZE, scriptFromAnswers, startOllamaDouble, type OllamaDouble } from '../double/index';

const PROMPT = '60+21->';
let double: OllamaDouble;
const MODEL = 'double-client:latest';

before(async () => {
  double = await startOllamaDouble({
    models: [{ name: MODEL, script: [scriptFromAnswers(PROMPT, [{ text: '81', prob: 0.5 }, { text: 'eighty-one', prob: 0.3 }])] }],
    version: '0.13.0',
  });
});
after(() => double.close());

function client(extra: Partial<ConstructorParameters<typeof OllamaClient>[0]> = {}) {
  return new OllamaClient({ host: double.url, retries: 0, retryBaseMs: 5, ...extra });
}

async function rejectsWith(promise: Promise<unknown>, kind: string): Promise<OllamaError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof OllamaError, `expected an OllamaError, got ${String(err)}`);
    assert.equal(err.kind, kind, err.message);
    assert.ok(err.nextStep.length > 0);
    return err;
  }
  assert.fail(`expected a ${kind} error`);
}

test('version, models, details and digest', async () => {
  const c = client();
  assert.equal(await c.version(), '0.13.0');
  const models = await c.listModels();
  assert.ok(models.some((m) => m.name === MODEL && /^[0-9a-f]{64}$/.test(m.digest)));
  const details = await c.showModel(MODEL);
  assert.ok(details.capabilities.includes('completion'));
  assert.equal(await c.modelDigest('double-client'), models.find((m) => m.name === MODEL)?.digest);
  assert.equal(await c.modelDigest('no-such-model'), undefined);
});

test('a 1-token request returns the top alternatives with probabilities', async () => {
  const reply = await client().nextTokens(MODEL, PROMPT, 20);
  assert.equal(reply.top.length, 20);
  const sorted = [...reply.top].sort((a, b) => b.logprob - a.logprob);
  assert.deepEqual(reply.top, sorted);
  const first = reply.top.find((t) => t.token === '81');
  // 0.5 of the scripted mass, which gives up the vocabulary tail (fillers pad the list to 20).
  assert.ok(first && Math.abs(Math.exp(first.logprob) - 0.5 * (1 - DEFAULT_VOCAB_SIZE * DEFAULT_FILLER_PROB)) < 1e-6);
  const request = double.requests.at(-1)!.body as Record<string, unknown>;
  assert.equal(request['raw'], true);
  assert.equal(request['think'], false);
  assert.equal(request['stream'], true);
  assert.equal(request['top_logprobs'], 20);
});

test('generation streams text and collects logprobs across chunks', async () => {
  const result = await client().generate({ model: MODEL, prompt: PROMPT, options: { temperature: 0, num_predict: 5 }, logprobs: true, topLogprobs: 3 });
  assert.equal(result.text.startsWith('81'), true);
  assert.ok(result.logprobs.length >= 1 && result.logprobs[0]!.top_logprobs!.length === 3);
  assert.ok(result.doneReason === 'stop' || result.doneReason === 'length');
  assert.ok((result.promptEvalCount ?? 0) > 0);
});

test('server not running → not-running with "Start Ollama"', async () => {
  const gone = await startOllamaDouble({ models: [] });
  const url = gone.url;
  await gone.close();
  const err = await rejectsWith(new OllamaClient({ host: url, retries: 0 }).version(), 'not-running');
  assert.match(err.nextStep, /Start Ollama/);
});

test('unknown model → model-not-found offering the pull', async () => {
  const err = await rejectsWith(client().nextTokens('missing-model', PROMPT, 20), 'model-not-found');
  assert.match(err.nextStep, /ollama pull missing-model/);
  assert.equal(err.status, 404);
});

test('400 → bad-request with the server message', async () => {
  const err = await rejectsWith(client().nextTokens(MODEL, PROMPT, 21), 'bad-request');
  assert.match(err.message, /top_logprobs must be between 0 and 20/);
});

test('503 is retried with backoff, then succeeds; persistent 503 → overloaded', async () => {
  const retries: number[] = [];
  double.inject({ kind: 'status', status: 503, count: 2 });
  const reply = await client({ retries: 3, onRetry: (_e, attempt) => retries.push(attempt) }).nextTokens(MODEL, PROMPT, 5);
  assert.equal(reply.top.length, 5);
  assert.deepEqual(retries, [1, 2]);
  double.inject({ kind: 'status', status: 503, count: 5 });
  await rejectsWith(client({ retries: 1 }).nextTokens(MODEL, PROMPT, 5), 'overloaded');
  double.clearFaults();
});

test('500 → server-error', async () => {
  double.inject({ kind: 'status', status: 500, error: 'llama runner process has terminated' });
  const err = await rejectsWith(client().nextTokens(MODEL, PROMPT, 5), 'server-error');
  assert.match(err.message, /llama runner process has terminated/);
});

test('an error line inside a 200 stream → stream-error', async () => {
  double.inject({ kind: 'errorMidStream', afterChunks: 1, error: 'an error was encountered while running the model' });
  const err = await rejectsWith(client().generate({ model: MODEL, prompt: PROMPT, options: { num_predict: 5, temperature: 0 } }), 'stream-error');
  assert.match(err.message, /an error was encountered while running the model/);
});

test('a stalled stream → stalled after the stall timeout', async () => {
  double.inject({ kind: 'stall', afterChunks: 1 });
  await rejectsWith(client({ stallTimeoutMs: 300 }).generate({ model: MODEL, prompt: PROMPT, options: { num_predict: 5, temperature: 0 } }), 'stalled');
});

test('no first byte within the request timeout → timeout-first-byte (cold load)', async () => {
  double.inject({ kind: 'slowFirstByte', delayMs: 2000 });
  const err = await rejectsWith(client({ requestTimeoutMs: 200 }).nextTokens(MODEL, PROMPT, 5), 'timeout-first-byte');
  assert.match(err.nextStep, /timeout/);
});

test('a slow first byte within the timeout is fine', async () => {
  double.inject({ kind: 'slowFirstByte', delayMs: 150 });
  const reply = await client({ requestTimeoutMs: 5000 }).nextTokens(MODEL, PROMPT, 5);
  assert.equal(reply.top.length, 5);
});

test('a malformed stream line → malformed-stream (not silently skipped)', async () => {
  double.inject({ kind: 'malformedLine', afterChunks: 1 });
  await rejectsWith(client().generate({ model: MODEL, prompt: PROMPT, options: { num_predict: 5, temperature: 0 } }), 'malformed-stream');
});

test('a line shaped like an object that does not parse → malformed-stream (the package would skip it)', async () => {
  const lines = ['{"model":"m","response":"a","done":false}', '{"model":"m","response": }', '{"model":"m","response":"","done":true,"done_reason":"stop"}'];
  const fetch = async () => new Response(`${lines.join('\n')}\n`, { status: 200, headers: { 'content-type': 'application/x-ndjson' } });
  const broken = new OllamaClient({ host: 'http://127.0.0.1:9', retries: 0, fetch });
  const warn = console.warn;
  console.warn = () => {}; // the ollama package warns about the line it skips
  try {
    await rejectsWith(broken.generate({ model: 'm', prompt: 'p', options: { num_predict: 2 } }), 'malformed-stream');
    const whole = new OllamaClient({ host: 'http://127.0.0.1:9', retries: 0, fetch: async () => new Response(`${[lines[0], lines[2]].join('\n')}\n`, { status: 200, headers: { 'content-type': 'application/x-ndjson' } }) });
    assert.equal((await whole.generate({ model: 'm', prompt: 'p', options: { num_predict: 2 } })).text, 'a');
  } finally {
    console.warn = warn;
  }
});

test('a connection reset mid-stream → connection-reset; refused socket → reset/not running', async () => {
  double.inject({ kind: 'reset', afterChunks: 1 });
  await rejectsWith(client().generate({ model: MODEL, prompt: PROMPT, options: { num_predict: 5, temperature: 0 } }), 'connection-reset');
  // The server accepts the connection and drops it at once: a reset, retryable.
  double.inject({ kind: 'refuse' });
  const err = await rejectsWith(client().nextTokens(MODEL, PROMPT, 5), 'connection-reset');
  assert.ok(err.retryable);
});

test('a reset is retried when retries are allowed', async () => {
  double.inject({ kind: 'reset', afterChunks: 0 });
  const reply = await client({ retries: 2 }).nextTokens(MODEL, PROMPT, 5);
  assert.equal(reply.top.length, 5);
});

test('every request is cancellable, streaming or not', async () => {
  const controller = new AbortController();
  double.inject({ kind: 'slowFirstByte', delayMs: 3000 });
  const pending = client().nextTokens(MODEL, PROMPT, 5, controller.signal);
  setTimeout(() => controller.abort(), 50);
  await rejectsWith(pending, 'cancelled');

  const stalled = new AbortController();
  double.inject({ kind: 'stall', afterChunks: 1 });
  const streaming = client().generate({ model: MODEL, prompt: PROMPT, options: { num_predict: 5, temperature: 0 } }, stalled.signal);
  setTimeout(() => stalled.abort(), 100);
  await rejectsWith(streaming, 'cancelled');

  double.inject({ kind: 'slowFirstByte', delayMs: 3000, path: '/api/version' });
  const versionAbort = new AbortController();
  const version = client().version(versionAbort.signal);
  setTimeout(() => versionAbort.abort(), 50);
  await rejectsWith(version, 'cancelled');
  double.clearFaults();
});

test('pull streams progress and installs the model', async () => {
  const pulling = await startOllamaDouble({ models: [], pullable: [{ name: 'double-pulled', script: [] }] });
  try {
    const c = new OllamaClient({ host: pulling.url, retries: 0 });
    const statuses: string[] = [];
    await c.pull('double-pulled', (p) => statuses.push(p.status));
    assert.equal(statuses.at(-1), 'success');
    assert.ok((await c.listModels()).some((m) => m.name === 'double-pulled:latest'));
    // Streaming pulls of an unknown model end with an {"error"} line: said as "no such model", with the next step.
    const err = await rejectsWith(c.pull('double-unknown', () => {}), 'model-not-found');
    assert.match(err.message, /The Ollama library has no model 'double-unknown' \(pull model manifest: file does not exist\)/);
    assert.match(err.nextStep, /ollama\.com\/library/);
    assert.doesNotMatch(err.message, /while generating/);
  } finally {
    await pulling.close();
  }
  const down = await startOllamaDouble({ models: [] });
  const url = down.url;
  await down.close();
  await rejectsWith(new OllamaClient({ host: url, retries: 0 }).pull('x', () => {}), 'not-running');
});

test('pull errors say what failed: no network to the registry, no disk space; socket errors are left to classifyError', () => {
  const offline = pullError(new Error('pull model manifest: Get "https://registry.ollama.ai/v2/library/x/manifests/latest": dial tcp: lookup registry.ollama.ai: no such host'), 'x');
  assert.equal(offline?.kind, 'pull-failed');
  assert.match(offline?.message ?? '', /could not reach its model registry/);
  assert.match(offline?.nextStep ?? '', /internet connection/);
  assert.match(pullError(new Error('write /models/blobs/x: no space left on device'), 'x')?.nextStep ?? '', /Free disk space/);
  const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  assert.equal(pullError(reset, 'x'), undefined);
});

for (const version of ['0.13.0', '0.32.15']) {
  test(`${version}: a prompt over num_ctx is refused (truncate: false) → context-overflow, never cut silently (D3)`, async () => {
    const d = await startOllamaDouble({ version, models: [{ name: 'double-ctx', parameters: { num_ctx: 32 }, script: [scriptFromAnswers(PROMPT, [{ text: '81', prob: 0.5 }])] }] });
    try {
      const c = new OllamaClient({ host: d.url, retries: 0 });
      const long = `${'12+34->46\n'.repeat(20)}${PROMPT}`;
      const err = await rejectsWith(c.nextTokens('double-ctx', long, 20), 'context-overflow');
      assert.match(err.nextStep, /num_ctx/);
      if (version === '0.32.15') assert.match(err.message, /\d+ tokens/);
      await rejectsWith(c.generate({ model: 'double-ctx', prompt: long, options: { num_predict: 2 } }), 'context-overflow');
      for (const r of d.requests.filter((x) => x.path === '/api/generate')) assert.equal((r.body as Record<string, unknown>)['truncate'], false);
      // A prompt that fits is fine.
      const ok = await c.nextTokens('double-ctx', PROMPT, 20);
      assert.equal(ok.top.length, 20);
    } finally {
      await d.close();
    }
  });

  test(`${version}: scoring requests send stop: [] so a Modelfile stop cannot swallow the entry (D4)`, async () => {
    // The Modelfile stops at "81", the greedy token: without stop: [] the reply has no logprobs.
    const d = await startOllamaDouble({ version, models: [{ name: 'double-stop81', parameters: { stop: ['81', 'User:'] }, script: [scriptFromAnswers(PROMPT, [{ text: '81', prob: 0.5 }, { text: 'eighty-one', prob: 0.3 }])] }] });
    try {
      const c = new OllamaClient({ host: d.url, retries: 0 });
      d.resetCounters();
      const reply = await c.nextTokens('double-stop81', PROMPT, 20);
      assert.equal(d.counters.generate, 1, 'one request: the greedy token kept its entry');
      assert.equal(reply.generated?.token, '81');
      const body = d.requests.find((r) => r.path === '/api/generate')!.body as { options: Record<string, unknown> };
      assert.deepEqual(body.options['stop'], []);
      // The same request without stop: [] loses the entry (what the double emulates of both generations).
      const raw = await fetch(`${d.url}/api/generate`, { method: 'POST', body: JSON.stringify({ model: 'double-stop81', prompt: PROMPT, raw: true, stream: false, logprobs: true, top_logprobs: 20, options: { num_predict: 1, temperature: 0 } }) });
      const json = (await raw.json()) as Record<string, unknown>;
      assert.equal(json['logprobs'], undefined);
      assert.equal(json['done_reason'], 'stop');
    } finally {
      await d.close();
    }
  });
}

test('Modelfile stops printed Go-quoted (%#v) are read back exactly (D6)', async () => {
  const stops = ['\n\n', '\t', 'say "hi"', 'back\\slash', '<|eot_id|>', 'é'];
  const d = await startOllamaDouble({ models: [{ name: 'double-quoted', parameters: { stop: stops, temperature: 0.2 }, script: [] }] });
  try {
    const shown = await client().showModel(MODEL);
    assert.deepEqual(shown.stops, []);
    const c = new OllamaClient({ host: d.url, retries: 0 });
    const details = await c.showModel('double-quoted');
    assert.deepEqual(details.stops, stops);
    const raw = (await (await fetch(`${d.url}/api/show`, { method: 'POST', body: JSON.stringify({ model: 'double-quoted' }) })).json()) as { parameters: string };
    assert.ok(raw.parameters.includes('stop                           "\\n\\n"'), raw.parameters);
    assert.ok(raw.parameters.includes('stop                           "say \\"hi\\""'), raw.parameters);
  } finally {
    await d.close();
  }
});

test('findModel: a name without a tag means :latest, as Ollama reads it', () => {
  const models = [{ name: 'gemma3:latest' }, { name: 'qwen2.5:0.5b' }];
  assert.equal(findModel(models, 'gemma3')?.name, 'gemma3:latest');
  assert.equal(findModel(models, 'gemma3:latest')?.name, 'gemma3:latest');
  assert.equal(findModel(models, 'qwen2.5'), undefined);
  assert.equal(findModel(models, 'qwen2.5:0.5b')?.name, 'qwen2.5:0.5b');
});
