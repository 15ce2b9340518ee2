/**
 * Tests of the Ollama TEST DOUBLE (test/double): a scripted stand-in for Ollama, not a real model.
 * Plain fetch only; nothing from src/.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  buildDemoModels,
  DEFAULT_FILLER_PROB,
  DEFAULT_VOCAB_SIZE,
  FILLER_MARK,
  goQuote,
  groundTruth,
  randomScriptedModel,
  scriptFromAnswers,
  servedName,
  startOllamaDouble,
  tokenize,
  tokenizerBias,
  type OllamaDouble,
  type ScriptedModel,
  type TokenDist,
} from '../double/index';

type Json = Record<string, unknown>;
interface Entry {
  token: string;
  logprob: number;
  bytes?: number[];
  top_logprobs?: Entry[];
}

/** The vocabulary tail (filler tokens) every scripted distribution gives up by default. */
const TAIL = DEFAULT_VOCAB_SIZE * DEFAULT_FILLER_PROB;
/** Scale of a scripted probability once the tail is taken out. */
const S = 1 - TAIL;
/** float32 logprob of a scripted probability p, as served (normalised to 1 − tail). */
const f32ln = (p: number): number => Math.fround(Math.log(p * S));

async function post(d: OllamaDouble, path: string, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${d.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

async function ndjson(res: Response): Promise<Json[]> {
  const text = await res.text();
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json);
}

async function genJson(d: OllamaDouble, body: Json): Promise<Json> {
  const res = await post(d, '/api/generate', { stream: false, ...body });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as Json;
}

const SAMPLE_ALL = { temperature: 1, top_k: 0, top_p: 1, min_p: 0 };

// A hand-built model used across tests.
const P = 'P:';
const basic: ScriptedModel = {
  name: 'double-basic',
  script: [
    {
      prompt: P,
      nodes: {
        '': [
          { token: 'A', prob: 0.5 },
          { token: 'B', prob: 0.3 },
          { token: 'é', prob: 0.15 },
          { token: '', prob: 0.05 },
        ],
        A: [
          { token: 'b', prob: 0.6 },
          { token: '\n', prob: 0.3 },
          { token: '', prob: 0.1 },
        ],
        Ab: [
          { token: 'c', prob: 3 }, // unnormalised on purpose
          { token: 'd', prob: 1 },
        ],
        Abc: [{ token: '', prob: 1 }],
      },
    },
    {
      prompt: 'S:',
      nodes: {
        '': [{ token: 'he', prob: 1 }],
        he: [{ token: 'l', prob: 1 }],
        hel: [{ token: 'lo', prob: 1 }],
        hello: [{ token: ' wo', prob: 1 }],
        'hello wo': [{ token: 'rld', prob: 1 }],
        'hello world': [{ token: '', prob: 1 }],
      },
    },
    {
      prompt: 'X:',
      nodes: {
        '': [{ token: 'ab', prob: 1 }],
        ab: [{ token: 'xENDy', prob: 1 }],
      },
    },
  ],
};

const thinker: ScriptedModel = {
  name: 'double-thinker',
  capabilities: ['completion', 'thinking'],
  script: [
    {
      prompt: 'T:',
      nodes: {
        '': [{ token: '<think>', prob: 1 }],
        '<think>': [{ token: 'hmm', prob: 1 }],
        '<think>hmm': [{ token: '</think>', prob: 1 }],
        '<think>hmm</think>': [{ token: 'ok', prob: 1 }],
        '<think>hmm</think>ok': [{ token: '', prob: 1 }],
      },
    },
  ],
};

// Hand-built model for ground truth: "81" has two tokenizations ("81" and "8"+"1"), plus crossing tokens.
const G: ScriptedModel = {
  name: 'double-truth',
  script: [
    {
      prompt: 'Q:',
      nodes: {
        '': [
          { token: '8', prob: 0.2 },
          { token: '81', prob: 0.5 },
          { token: ' 81', prob: 0.1 },
          { token: 'x', prob: 0.1 },
          { token: '81\n', prob: 0.05 },
          { token: '', prob: 0.05 },
        ],
        '8': [
          { token: '1', prob: 0.6 },
          { token: '10', prob: 0.3 },
          { token: '1\n', prob: 0.1 },
        ],
        '81': [
          { token: '\n', prob: 0.7 },
          { token: '', prob: 0.2 },
          { token: '0', prob: 0.1 },
        ],
      },
    },
  ],
};

describe('ollama double: basic endpoints', () => {
  let d: OllamaDouble;
  before(async () => {
    d = await startOllamaDouble({ models: [basic, thinker, { name: 'plain', script: [] }], version: '0.13.1' });
  });
  after(() => d.close());

  test('root, version (GET and HEAD), unknown route', async () => {
    const root = await fetch(`${d.url}/`);
    assert.equal(root.status, 200);
    assert.match(root.headers.get('content-type') ?? '', /^text\/plain/);
    assert.equal(await root.text(), 'Ollama is running');
    const v = await fetch(`${d.url}/api/version`);
    assert.deepEqual(await v.json(), { version: '0.13.1' });
    const head = await fetch(`${d.url}/api/version`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const nf = await fetch(`${d.url}/api/nothing-here`);
    assert.equal(nf.status, 404);
    assert.equal(await nf.text(), '404 page not found');
    const wrongMethod = await fetch(`${d.url}/api/generate`);
    assert.equal(wrongMethod.status, 404);
  });

  test('tags: schema A.11, names labelled as doubles with a tag', async () => {
    const res = await fetch(`${d.url}/api/tags`);
    const body = (await res.json()) as { models: Json[] };
    const names = body.models.map((m) => m.name).sort();
    assert.deepEqual(names, ['double-basic:latest', 'double-plain:latest', 'double-thinker:latest']);
    for (const m of body.models) {
      assert.equal(m.model, m.name);
      assert.match(String(m.digest), /^[0-9a-f]{64}$/);
      assert.equal(typeof m.size, 'number');
      assert.ok(!Number.isNaN(Date.parse(String(m.modified_at))));
      assert.deepEqual(Object.keys(m.details as Json).sort(), [
        'families',
        'family',
        'format',
        'parameter_size',
        'parent_model',
        'quantization_level',
      ]);
      assert.equal((m.details as Json).format, 'gguf');
      assert.equal((m.details as Json).parent_model, '');
    }
    assert.equal(servedName('foo'), 'double-foo:latest');
    assert.equal(servedName('double-x:7b'), 'double-x:7b');
    assert.equal(servedName('ns/foo:q4'), 'ns/double-foo:q4');
  });

  test('show: template, modelfile, model_info, capabilities; 404 and 400', async () => {
    const res = await post(d, '/api/show', { model: 'double-thinker' });
    assert.equal(res.status, 200);
    const s = (await res.json()) as Json;
    assert.equal(s.template, '{{ .Prompt }}');
    assert.match(String(s.modelfile), /^# Ollama test double — scripted model, not a real model/);
    assert.deepEqual(s.capabilities, ['completion', 'thinking']);
    const info = s.model_info as Json;
    assert.equal(info['general.architecture'], 'double');
    assert.equal(info['double.context_length'], 4096);
    assert.equal((s.details as Json).family, 'double');
    const missing = await post(d, '/api/show', { model: 'nope' });
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: "model 'nope' not found" });
    const noName = await post(d, '/api/show', {});
    assert.equal(noName.status, 400);
    assert.deepEqual(await noName.json(), { error: 'model is required' });
  });

  test('ps lists models used recently, with expires_at, size_vram, context_length; keep_alive 0 unloads', async () => {
    const before0 = (await (await fetch(`${d.url}/api/ps`)).json()) as { models: Json[] };
    assert.ok(!before0.models.some((m) => m.name === 'double-plain:latest'));
    await genJson(d, { model: 'double-plain', prompt: 'anything', options: { num_predict: 1 } });
    const ps = (await (await fetch(`${d.url}/api/ps`)).json()) as { models: Json[] };
    const m = ps.models.find((x) => x.name === 'double-plain:latest');
    assert.ok(m, 'model listed after use');
    assert.equal(m.context_length, 4096);
    assert.equal(m.size_vram, m.size);
    const exp = Date.parse(String(m.expires_at));
    assert.ok(exp > Date.now() + 4 * 60_000 && exp <= Date.now() + 5 * 60_000 + 1000);
    const unload = await genJson(d, { model: 'double-plain', prompt: '', keep_alive: 0 });
    assert.equal(unload.done_reason, 'unload');
    const ps2 = (await (await fetch(`${d.url}/api/ps`)).json()) as { models: Json[] };
    assert.ok(!ps2.models.some((x) => x.name === 'double-plain:latest'));
  });

  test('empty prompt loads the model (done_reason "load"); load_duration only on first use; num_ctx change reloads', async () => {
    const load = await post(d, '/api/generate', { model: 'double-basic', prompt: '' });
    assert.equal(load.status, 200);
    const body = (await load.json()) as Json;
    assert.equal(body.done, true);
    assert.equal(body.done_reason, 'load');
    assert.equal(body.response, '');
    const a = await genJson(d, { model: 'double-basic', prompt: P, raw: true, options: { num_predict: 1 } });
    assert.equal(a.load_duration, undefined, 'already loaded');
    const b = await genJson(d, { model: 'double-basic', prompt: P, raw: true, options: { num_predict: 1, num_ctx: 8192 } });
    assert.equal(typeof b.load_duration, 'number', 'num_ctx change reloads');
    const ps = (await (await fetch(`${d.url}/api/ps`)).json()) as { models: Json[] };
    assert.equal(ps.models.find((x) => x.name === 'double-basic:latest')?.context_length, 8192);
  });
});

describe('ollama double: /api/generate', () => {
  let d: OllamaDouble;
  before(async () => {
    d = await startOllamaDouble({ models: [basic, thinker, G] });
  });
  after(() => d.close());

  test('streaming NDJSON: one chunk per token, then the final object', async () => {
    const res = await post(d, '/api/generate', {
      model: 'double-basic:latest',
      prompt: P,
      raw: true,
      think: false,
      logprobs: true,
      options: { temperature: 0 },
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/x-ndjson');
    const lines = await ndjson(res);
    const chunks = lines.slice(0, -1);
    const last = lines[lines.length - 1] as Json;
    assert.deepEqual(
      chunks.map((c) => c.response),
      ['A', 'b', 'c'],
    );
    for (const c of chunks) {
      assert.equal(c.model, 'double-basic:latest');
      assert.equal(c.done, false);
      assert.ok(!Number.isNaN(Date.parse(String(c.created_at))));
      assert.equal((c.logprobs as Entry[]).length, 1);
    }
    assert.equal(last.done, true);
    assert.equal(last.response, '');
    assert.equal(last.done_reason, 'stop'); // sampled EOS
    for (const k of ['total_duration', 'prompt_eval_count', 'prompt_eval_duration', 'eval_count', 'eval_duration']) {
      assert.ok(Number.isInteger(last[k]) && (last[k] as number) > 0, `${k} is a positive integer`);
    }
    assert.equal(last.eval_count, 4, 'three tokens and the EOS step');
    assert.equal(last.prompt_eval_count, tokenize(P).length);
    assert.equal(last.context, undefined, 'raw mode has no context');
    assert.equal(last.logprobs, undefined);

    // Non-raw requests get `context`.
    const nonRaw = await genJson(d, { model: 'double-basic', prompt: P, options: { temperature: 0 } });
    assert.ok(Array.isArray(nonRaw.context) && nonRaw.context.length === tokenize(`${P}Abc`).length);
  });

  test('non-streaming equals the concatenated stream for the same seed', async () => {
    const body = { model: 'double-basic', prompt: P, raw: true, logprobs: true, top_logprobs: 2, options: { ...SAMPLE_ALL, seed: 42 } };
    const streamed = await ndjson(await post(d, '/api/generate', body));
    const whole = await genJson(d, body);
    assert.equal(whole.done, true);
    assert.equal(whole.response, streamed.map((c) => c.response).join(''));
    assert.deepEqual(
      whole.logprobs,
      streamed.flatMap((c) => (c.logprobs as Entry[] | undefined) ?? []),
    );
    assert.equal(whole.done_reason, streamed[streamed.length - 1]?.done_reason);
  });

  test('logprobs schema (go profile): bytes, literal EOS, padded descending top_logprobs, T = 1 values', async () => {
    // Find a seed that starts with "é" to see multi-byte bytes.
    let found: Json | undefined;
    for (let seed = 0; seed < 200 && !found; seed++) {
      const r = await genJson(d, { model: 'double-basic', prompt: P, raw: true, logprobs: true, top_logprobs: 20, options: { ...SAMPLE_ALL, seed, num_predict: 1 } });
      if (r.response === 'é') found = r;
    }
    assert.ok(found, 'some seed samples é');
    const e = (found.logprobs as Entry[])[0] as Entry;
    assert.equal(e.token, 'é');
    assert.deepEqual(e.bytes, [0xc3, 0xa9]);
    assert.equal(e.logprob, f32ln(0.15));
    const top = e.top_logprobs as Entry[];
    assert.equal(top.length, 20, 'always exactly top_logprobs entries: the 4 scripted tokens, then vocabulary fillers');
    assert.deepEqual(
      top.slice(0, 4).map((t) => t.token),
      ['A', 'B', 'é', '<eos>'],
    );
    for (let i = 1; i < top.length; i++) assert.ok((top[i - 1] as Entry).logprob >= (top[i] as Entry).logprob);
    const eos = top[3] as Entry;
    assert.equal(eos.logprob, f32ln(0.05));
    assert.deepEqual(eos.bytes, [...Buffer.from('<eos>')], 'Go runners print the EOS by its literal text, with bytes');
    for (const f of top.slice(4)) {
      assert.ok(f.token.startsWith(FILLER_MARK), `filler ${JSON.stringify(f.token)}`);
      assert.equal(f.logprob, Math.fround(Math.log(DEFAULT_FILLER_PROB)));
      assert.deepEqual(f.bytes, [...Buffer.from(f.token)]);
    }
    const seen = top.reduce((s, t) => s + Math.exp(t.logprob), 0);
    assert.ok(1 - seen > 1e-4 && 1 - seen < 4e-4, `unseen mass ${1 - seen} ≈ the vocabulary tail`);
    assert.deepEqual(Object.keys(top[0] as Entry), ['token', 'logprob', 'bytes']);

    // Normalisation of unnormalised script weights (3:1).
    const g = await genJson(d, { model: 'double-basic', prompt: `${P}Ab`, raw: true, logprobs: true, top_logprobs: 2, options: { temperature: 0, num_predict: 1 } });
    const ge = (g.logprobs as Entry[])[0] as Entry;
    assert.equal(ge.token, 'c');
    assert.equal(ge.logprob, f32ln(0.75));
    assert.deepEqual(
      ge.top_logprobs?.map((t) => t.logprob),
      [f32ln(0.75), f32ln(0.25)],
    );
    // A larger list is padded with fillers of the vocabulary tail.
    const g3 = await genJson(d, { model: 'double-basic', prompt: `${P}Ab`, raw: true, logprobs: true, top_logprobs: 3, options: { temperature: 0, num_predict: 1 } });
    assert.equal(((g3.logprobs as Entry[])[0] as Entry).top_logprobs?.length, 3);

    // top_logprobs 0 → no key; logprobs false → no logprobs at all.
    const noTop = await genJson(d, { model: 'double-basic', prompt: P, raw: true, logprobs: true, top_logprobs: 0, options: { temperature: 0, num_predict: 1 } });
    assert.ok(!('top_logprobs' in ((noTop.logprobs as Entry[])[0] as Entry)));
    const none = await genJson(d, { model: 'double-basic', prompt: P, raw: true, top_logprobs: 5, options: { temperature: 0, num_predict: 1 } });
    assert.ok(!('logprobs' in none));
  });

  test('a sampled EOS ends with done_reason "stop" and no logprob entry', async () => {
    const r = await genJson(d, { model: 'double-basic', prompt: `${P}Abc`, raw: true, logprobs: true, options: { temperature: 0, num_predict: 1 } });
    assert.equal(r.response, '');
    assert.equal(r.done_reason, 'stop');
    assert.ok(!('logprobs' in r));
    assert.equal(r.eval_count, 1);
  });

  test('logprobs do not depend on temperature, top_k, top_p', async () => {
    const a = await genJson(d, { model: 'double-basic', prompt: P, raw: true, logprobs: true, top_logprobs: 4, options: { temperature: 0, num_predict: 1 } });
    const b = await genJson(d, { model: 'double-basic', prompt: P, raw: true, logprobs: true, top_logprobs: 4, options: { temperature: 0.1, top_k: 1, top_p: 0.2, seed: 7, num_predict: 1 } });
    assert.equal(a.response, 'A');
    assert.equal(b.response, 'A');
    assert.deepEqual(a.logprobs, b.logprobs);
    assert.equal(((a.logprobs as Entry[])[0] as Entry).logprob, f32ln(0.5));
  });

  test('validation in Ollama order: top_logprobs before model lookup, 404, raw+system/context, think', async () => {
    const tl = await post(d, '/api/generate', { model: 'does-not-exist', prompt: 'x', logprobs: true, top_logprobs: 21 });
    assert.equal(tl.status, 400);
    assert.deepEqual(await tl.json(), { error: 'top_logprobs must be between 0 and 20' });
    const neg = await post(d, '/api/generate', { model: 'double-basic', prompt: 'x', top_logprobs: -1 });
    assert.equal(neg.status, 400);

    const nf = await post(d, '/api/generate', { model: 'does-not-exist', prompt: 'x' });
    assert.equal(nf.status, 404);
    assert.deepEqual(await nf.json(), { error: "model 'does-not-exist' not found" });

    for (const extra of [{ system: 'be nice' }, { template: '{{ .Prompt }}' }, { context: [1, 2] }]) {
      const r = await post(d, '/api/generate', { model: 'double-basic', prompt: 'x', raw: true, ...extra });
      assert.equal(r.status, 400);
      assert.deepEqual(await r.json(), { error: 'raw mode does not support template, system, or context' });
    }

    const th = await post(d, '/api/generate', { model: 'double-basic', prompt: 'x', think: true });
    assert.equal(th.status, 400);
    assert.deepEqual(await th.json(), { error: '"double-basic" does not support thinking' });
    const thOff = await post(d, '/api/generate', { model: 'double-basic', prompt: P, raw: true, think: false, stream: false, options: { num_predict: 1 } });
    assert.equal(thOff.status, 200);

    const empty = await post(d, '/api/generate', '');
    assert.equal(empty.status, 400);
    assert.deepEqual(await empty.json(), { error: 'missing request body' });
    const bad = await post(d, '/api/generate', '{"model": "double-basic",');
    assert.equal(bad.status, 400);
    assert.deepEqual(await bad.json(), { error: 'unexpected EOF' });
    const badType = await post(d, '/api/generate', { model: 'double-basic', prompt: 'x', stream: 'yes' });
    assert.equal(badType.status, 400);
    assert.match(((await badType.json()) as Json).error as string, /cannot unmarshal string into Go struct field GenerateRequest\.stream of type bool/);
  });

  test('thinking models: think omitted means true; <think> text moves to `thinking`', async () => {
    const on = await genJson(d, { model: 'double-thinker', prompt: 'T:', raw: true, logprobs: true, options: { temperature: 0 } });
    assert.equal(on.thinking, 'hmm');
    assert.equal(on.response, 'ok');
    assert.equal((on.logprobs as Entry[]).length, 4, 'logprobs include the thinking tokens');
    const off = await genJson(d, { model: 'double-thinker', prompt: 'T:', raw: true, think: false, options: { temperature: 0 } });
    assert.equal(off.response, '<think>hmm</think>ok');
    assert.ok(!('thinking' in off));
    const streamed = await ndjson(await post(d, '/api/generate', { model: 'double-thinker', prompt: 'T:', raw: true, options: { temperature: 0 } }));
    assert.equal(streamed.map((c) => c.thinking ?? '').join(''), 'hmm');
    assert.equal(streamed.map((c) => c.response).join(''), 'ok');
  });

  test('seed: same seed + prompt → same output; different seeds differ', async () => {
    const body = (seed: number): Json => ({ model: 'double-truth', prompt: 'Q:', raw: true, options: { ...SAMPLE_ALL, seed, num_predict: 4 } });
    const a = await genJson(d, body(123));
    const b = await genJson(d, body(123));
    assert.equal(a.response, b.response);
    const seen = new Set<string>();
    for (let s = 0; s < 30; s++) seen.add(String((await genJson(d, body(s))).response));
    assert.ok(seen.size > 1, `different seeds gave ${[...seen].length} distinct outputs`);
  });

  test('temperature 0 is argmax at every step', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await genJson(d, { model: 'double-basic', prompt: P, raw: true, options: { temperature: 0, seed: i } });
      assert.equal(r.response, 'Abc');
    }
    const g = await genJson(d, { model: 'double-truth', prompt: 'Q:', raw: true, options: { temperature: 0, num_predict: 2 } });
    assert.equal(g.response, '81\n');
  });

  test('top_k / top_p truncate the sampler only', async () => {
    const seen = new Set<string>();
    for (let s = 0; s < 60; s++) {
      const r = await genJson(d, { model: 'double-basic', prompt: P, raw: true, options: { temperature: 1, top_k: 2, top_p: 1, seed: s, num_predict: 1 } });
      seen.add(String(r.response));
    }
    assert.deepEqual([...seen].sort(), ['A', 'B']);
    const nucleus = new Set<string>();
    for (let s = 0; s < 40; s++) {
      const r = await genJson(d, { model: 'double-basic', prompt: P, raw: true, options: { temperature: 1, top_k: 0, top_p: 0.4, seed: s, num_predict: 1 } });
      nucleus.add(String(r.response));
    }
    assert.deepEqual([...nucleus], ['A'], 'top_p 0.4 keeps only the 0.5 token');
  });

  test('stop: held-back partial match, truncation, cut logprobs dropped', async () => {
    // Tokens he|l|lo| wo|rld; stop "lo w" starts inside "llo wo" → text "hel".
    const lines = await ndjson(await post(d, '/api/generate', { model: 'double-basic', prompt: 'S:', raw: true, logprobs: true, options: { temperature: 0, stop: ['lo w'] } }));
    const final = lines[lines.length - 1] as Json;
    assert.equal(final.done_reason, 'stop');
    assert.equal(lines.map((c) => c.response).join(''), 'hel');
    const entries = lines.flatMap((c) => (c.logprobs as Entry[] | undefined) ?? []);
    assert.deepEqual(
      entries.map((e) => e.token),
      ['he', 'l'],
    );
    assert.equal(final.eval_count, 4);

    // A stop inside one token keeps the token's entry (its text is cut).
    const x = await genJson(d, { model: 'double-basic', prompt: 'X:', raw: true, logprobs: true, options: { temperature: 0, stop: ['END'] } });
    assert.equal(x.response, 'abx');
    assert.deepEqual(
      (x.logprobs as Entry[]).map((e) => e.token),
      ['ab', 'xENDy'],
    );

    // Held-back text is flushed when num_predict ends the generation.
    const held = await genJson(d, { model: 'double-basic', prompt: 'S:', raw: true, options: { temperature: 0, stop: ['lo w'], num_predict: 2 } });
    assert.equal(held.response, 'hel');
    assert.equal(held.done_reason, 'length');
  });

  test('num_predict → done_reason "length"', async () => {
    const r = await genJson(d, { model: 'double-basic', prompt: 'S:', raw: true, logprobs: true, options: { temperature: 0, num_predict: 3 } });
    assert.equal(r.response, 'hello');
    assert.equal(r.done_reason, 'length');
    assert.equal((r.logprobs as Entry[]).length, 3);
    assert.equal(r.eval_count, 3);
    const unlimited = await genJson(d, { model: 'double-basic', prompt: 'S:', raw: true, options: { temperature: 0, num_predict: 0 } });
    assert.equal(unlimited.response, 'hello world');
    assert.equal(unlimited.done_reason, 'stop');
  });
});

describe('ollama double: faults', () => {
  let d: OllamaDouble;
  const body = { model: 'double-basic', prompt: 'S:', raw: true, options: { temperature: 0 } }; // 5 tokens + final = 6 lines
  before(async () => {
    d = await startOllamaDouble({ models: [basic] });
  });
  after(() => d.close());

  test('refuse: the socket is destroyed at once', async () => {
    d.inject({ kind: 'refuse' });
    await assert.rejects(post(d, '/api/generate', body), TypeError);
    const ok = await post(d, '/api/generate', body);
    assert.equal(ok.status, 200, 'consumed after one request');
    await ok.text();
  });

  test('status: given status and {"error"} body, count, path override', async () => {
    d.inject({ kind: 'status', status: 500, error: 'boom', count: 2 });
    for (let i = 0; i < 2; i++) {
      const r = await post(d, '/api/generate', body);
      assert.equal(r.status, 500);
      assert.deepEqual(await r.json(), { error: 'boom' });
    }
    d.inject({ kind: 'status', status: 503 });
    const busy = await post(d, '/api/generate', body);
    assert.equal(busy.status, 503);
    assert.deepEqual(await busy.json(), { error: 'server busy, please try again.  maximum pending requests exceeded' });
    d.inject({ kind: 'status', status: 500, path: '/api/tags' });
    const gen = await post(d, '/api/generate', body);
    assert.equal(gen.status, 200, 'a /api/tags fault does not hit generate');
    await gen.text();
    const tags = await fetch(`${d.url}/api/tags`);
    assert.equal(tags.status, 500);
    assert.equal(d.faults.length, 0);
  });

  test('errorMidStream: 200, N chunks, then an {"error"} line; at 0 chunks a 500', async () => {
    d.inject({ kind: 'errorMidStream', afterChunks: 2, error: 'an error was encountered while running the model' });
    const r = await post(d, '/api/generate', body);
    assert.equal(r.status, 200);
    const lines = await ndjson(r);
    assert.equal(lines.length, 3);
    assert.deepEqual(
      lines.slice(0, 2).map((l) => l.response),
      ['he', 'l'],
    );
    assert.deepEqual(lines[2], { error: 'an error was encountered while running the model' });
    d.inject({ kind: 'errorMidStream', afterChunks: 0 });
    const r0 = await post(d, '/api/generate', body);
    assert.equal(r0.status, 500);
    assert.ok(typeof ((await r0.json()) as Json).error === 'string');
    d.inject({ kind: 'errorMidStream', afterChunks: 1, error: 'x' });
    const ns = await post(d, '/api/generate', { ...body, stream: false });
    assert.equal(ns.status, 500, 'non-streaming requests see the error status');
    assert.deepEqual(await ns.json(), { error: 'x' });
  });

  test('malformedLine: a non-JSON line inside the stream, which then completes', async () => {
    d.inject({ kind: 'malformedLine', afterChunks: 1 });
    const text = await (await post(d, '/api/generate', body)).text();
    const lines = text.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 7);
    assert.throws(() => JSON.parse(lines[1] as string));
    const last = JSON.parse(lines[6] as string) as Json;
    assert.equal(last.done, true);
  });

  test('reset: the socket is destroyed mid-stream', async () => {
    d.inject({ kind: 'reset', afterChunks: 2 });
    const r = await post(d, '/api/generate', body);
    assert.equal(r.status, 200);
    await assert.rejects(r.text());
  });

  test('stall: no more bytes after N chunks, socket kept open (and the slot held)', async () => {
    d.inject({ kind: 'stall', afterChunks: 1 });
    const ac = new AbortController();
    const r = await post(d, '/api/generate', body, { signal: ac.signal });
    assert.equal(r.status, 200);
    const reader = (r.body as ReadableStream<Uint8Array>).getReader();
    let got = '';
    while (!got.includes('\n')) {
      const { value, done } = await reader.read();
      assert.ok(!done);
      got += Buffer.from(value as Uint8Array).toString('utf8');
    }
    const next = await Promise.race([reader.read().then(() => 'data'), new Promise((res) => setTimeout(() => res('timeout'), 300))]);
    assert.equal(next, 'timeout');
    assert.equal(got.split('\n').filter((l) => l !== '').length, 1);
    // The stalled request holds the only slot: a second request waits until the first is aborted.
    const t0 = Date.now();
    const second = post(d, '/api/generate', { ...body, stream: false });
    setTimeout(() => ac.abort(), 200);
    const s = await second;
    assert.equal(s.status, 200);
    assert.ok(Date.now() - t0 >= 150, 'second request waited for the stalled slot');
    await s.text();
    await reader.cancel().catch(() => undefined);
  });

  test('slowFirstByte delays the response', async () => {
    d.inject({ kind: 'slowFirstByte', delayMs: 250 });
    const t0 = Date.now();
    const r = await post(d, '/api/generate', body);
    assert.ok(Date.now() - t0 >= 240);
    assert.equal(r.status, 200);
    await r.text();
  });

  test('close(): the port then refuses connections (ECONNREFUSED); a fresh double works', async () => {
    const tmp = await startOllamaDouble({ models: [basic] });
    const url = tmp.url;
    assert.equal((await fetch(`${url}/`)).status, 200);
    await tmp.suspend();
    const err = (await fetch(`${url}/`).then(
      () => undefined,
      (e: unknown) => e,
    )) as { cause?: { code?: string } } | undefined;
    assert.equal(err?.cause?.code, 'ECONNREFUSED');
    await tmp.resume();
    assert.equal(await (await fetch(`${url}/`)).text(), 'Ollama is running');
    await tmp.close();
    await assert.rejects(fetch(`${url}/api/version`), (e: unknown) => (e as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED');
  });
});

describe('ollama double: scheduling, pull, counters', () => {
  test('parallel slots bound concurrency; FIFO queue; queue overflow → 503', async () => {
    const d = await startOllamaDouble({ models: [basic], parallel: 2, latencyMs: 80 });
    try {
      const t0 = Date.now();
      const rs = await Promise.all(Array.from({ length: 6 }, () => post(d, '/api/generate', { model: 'double-basic', prompt: P, raw: true, stream: false, options: { num_predict: 1 } })));
      assert.deepEqual(
        rs.map((r) => r.status),
        [200, 200, 200, 200, 200, 200],
      );
      await Promise.all(rs.map((r) => r.text()));
      assert.equal(d.counters.maxConcurrent, 2);
      assert.ok(Date.now() - t0 >= 3 * 80 - 10, 'three waves of two');
    } finally {
      await d.close();
    }
    const q = await startOllamaDouble({ models: [basic], parallel: 1, maxQueue: 1, latencyMs: 150 });
    try {
      const rs = await Promise.all(Array.from({ length: 3 }, () => post(q, '/api/generate', { model: 'double-basic', prompt: P, raw: true, stream: false, options: { num_predict: 1 } })));
      const statuses = rs.map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, 200, 503]);
      const busy = rs.find((r) => r.status === 503) as Response;
      assert.deepEqual(await busy.json(), { error: 'server busy, please try again.  maximum pending requests exceeded' });
      assert.equal(q.counters.maxConcurrent, 1);
    } finally {
      await q.close();
    }
  });

  test('pull: progress stream, model appears in tags; unknown model errors', async () => {
    const d = await startOllamaDouble({ models: [], pullable: [{ name: 'double-new', script: [] }] });
    try {
      const lines = await ndjson(await post(d, '/api/pull', { model: 'double-new' }));
      assert.deepEqual(lines[0], { status: 'pulling manifest' });
      const progress = lines.filter((l) => typeof l.total === 'number');
      assert.ok(progress.length >= 2);
      for (const p of progress) {
        assert.match(String(p.digest), /^sha256:[0-9a-f]{64}$/);
        assert.equal(p.status, `pulling ${String(p.digest).slice(7, 19)}`);
      }
      assert.equal(progress[progress.length - 1]?.completed, progress[0]?.total);
      assert.deepEqual(
        lines.slice(-3).map((l) => l.status),
        ['verifying sha256 digest', 'writing manifest', 'success'],
      );
      const tags = (await (await fetch(`${d.url}/api/tags`)).json()) as { models: Json[] };
      assert.deepEqual(
        tags.models.map((m) => m.name),
        ['double-new:latest'],
      );
      const unknown = await ndjson(await post(d, '/api/pull', { model: 'double-missing' }));
      assert.deepEqual(unknown[unknown.length - 1], { error: 'pull model manifest: file does not exist' });
      const unknownNs = await post(d, '/api/pull', { model: 'double-missing', stream: false });
      assert.equal(unknownNs.status, 500);
      assert.deepEqual(await unknownNs.json(), { error: 'pull model manifest: file does not exist' });
    } finally {
      await d.close();
    }
  });

  test('counters, request log, add/remove models', async () => {
    const d = await startOllamaDouble({ models: [basic] });
    try {
      await genJson(d, { model: 'double-basic', prompt: 'S:', raw: true, options: { temperature: 0 } });
      await fetch(`${d.url}/api/tags`);
      assert.equal(d.counters.requests, 2);
      assert.equal(d.counters.generate, 1);
      assert.equal(d.counters.byPath['/api/generate'], 1);
      assert.equal(d.counters.byModel['double-basic:latest'], 1);
      assert.equal(d.counters.tokens, 6);
      assert.equal(d.requests[0]?.path, '/api/generate');
      assert.equal((d.requests[0]?.body as Json).prompt, 'S:');
      d.resetCounters();
      assert.equal(d.counters.requests, 0);
      assert.equal(d.requests.length, 0);
      d.addModel({ name: 'extra', script: [] });
      assert.ok(d.modelNames().includes('double-extra:latest'));
      d.removeModel('double-extra');
      const r = await post(d, '/api/generate', { model: 'double-extra', prompt: 'x' });
      assert.equal(r.status, 404);
    } finally {
      await d.close();
    }
  });
});

describe('ollama double: ground truth and sampling', () => {
  test('groundTruth on a hand-built model with two tokenizations (by hand)', () => {
    const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} ≈ ${b}`);
    // Every step gives up the vocabulary tail: a k-token path is scaled by S^k.
    // "81" = [81] + [8,1] = 0.5 + 0.2·0.6
    close(groundTruth(G, 'Q:', '81'), 0.5 * S + 0.2 * 0.6 * S ** 2);
    // terminated: [81]·P(term|81) + [8,1]·P(term|81) + [8,"1\n"] + ["81\n"]; P(term|81) = 0.7 ("\n") + 0.2 (EOS)
    close(groundTruth(G, 'Q:', '81', { terminated: true }), 0.5 * 0.9 * S ** 2 + 0.2 * 0.6 * 0.9 * S ** 3 + 0.2 * 0.1 * S ** 2 + 0.05 * S);
    close(groundTruth(G, 'Q:', '8'), 0.2 * S);
    close(groundTruth(G, 'Q:', '8', { terminated: true }), 0); // no "\n"-token or EOS at "8"
    // "810" = [81,0] + [8,10] + [8,1,0]; terminated: fallback at "810" is "\n" 0.9 + EOS 0.1
    close(groundTruth(G, 'Q:', '810'), 0.5 * 0.1 * S ** 2 + 0.2 * 0.3 * S ** 2 + 0.2 * 0.6 * 0.1 * S ** 3);
    close(groundTruth(G, 'Q:', '810', { terminated: true }), (0.5 * 0.1 * S ** 2 + 0.2 * 0.3 * S ** 2 + 0.2 * 0.6 * 0.1 * S ** 3) * S);
    close(groundTruth(G, 'Q:', ' 81'), 0.1 * S);
    close(groundTruth(G, 'Q:', 'nope'), 0);
    close(groundTruth(G, 'unscripted prompt', '\n'), 0.9 * S); // the fallback applies off-script
    // Without a vocabulary tail the hand values are exact.
    const G0: ScriptedModel = { ...G, vocabulary: { size: 0 } };
    close(groundTruth(G0, 'Q:', '81'), 0.62);
    close(groundTruth(G0, 'Q:', '810', { terminated: true }), 0.122);
  });

  test('double.truth uses the served model', async () => {
    const d = await startOllamaDouble({ models: [G] });
    try {
      assert.equal(d.truth('double-truth', 'Q:', '81'), groundTruth(G, 'Q:', '81'));
      assert.equal(d.truth('double-truth:latest', 'Q:', '81', { terminated: true }), groundTruth(G, 'Q:', '81', { terminated: true }));
    } finally {
      await d.close();
    }
  });

  test('2000 seeded one-step samples match the distribution', async () => {
    const d = await startOllamaDouble({ models: [G], parallel: 8 });
    try {
      const N = 2000;
      const counts = new Map<string, number>();
      for (let base = 0; base < N; base += 100) {
        const batch = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            genJson(d, { model: 'double-truth', prompt: 'Q:', raw: true, logprobs: true, options: { ...SAMPLE_ALL, seed: 1000 + base + i, num_predict: 1 } }),
          ),
        );
        for (const r of batch) {
          const e = (r.logprobs as Entry[] | undefined)?.[0];
          const tok = e ? e.token : '<eos>';
          if (!e) assert.equal(r.done_reason, 'stop');
          counts.set(tok, (counts.get(tok) ?? 0) + 1);
        }
      }
      const want: Record<string, number> = { '8': 0.2, '81': 0.5, ' 81': 0.1, x: 0.1, '81\n': 0.05, '<eos>': 0.05 };
      for (const [tok, p] of Object.entries(want)) {
        const freq = (counts.get(tok) ?? 0) / N;
        const sd = Math.sqrt((p * (1 - p)) / N);
        assert.ok(Math.abs(freq - p) < 4.5 * sd, `${JSON.stringify(tok)}: ${freq} vs ${p}`);
      }
      assert.equal([...counts.values()].reduce((a, b) => a + b, 0), N);
      assert.equal(d.counters.maxConcurrent <= 8, true);
    } finally {
      await d.close();
    }
  });

  test('Monte Carlo through HTTP agrees with groundTruth on a random model (terminated and not)', async () => {
    const prompt = '60+21->';
    const answers = ['81', '8', 'eighty-one', '810'];
    const model = randomScriptedModel(7, 'double-random', prompt, answers, { answerMass: 0.9 });
    const d = await startOllamaDouble({ models: [model], parallel: 8, float32Logprobs: false });
    try {
      const N = 1500;
      const hitsT = new Map<string, number>();
      const hitsU = new Map<string, number>();
      for (let base = 0; base < N; base += 100) {
        const batch = await Promise.all(
          Array.from({ length: 100 }, (_, i) =>
            genJson(d, { model: 'double-random', prompt, raw: true, logprobs: true, options: { ...SAMPLE_ALL, seed: base + i, num_predict: 14 } }),
          ),
        );
        for (const r of batch) {
          const text = String(r.response);
          const toks = ((r.logprobs as Entry[] | undefined) ?? []).map((e) => e.token);
          for (const a of answers) {
            if (text.startsWith(`${a}\n`) || (text === a && r.done_reason === 'stop')) hitsT.set(a, (hitsT.get(a) ?? 0) + 1);
            let acc = '';
            for (const t of toks) {
              acc += t;
              if (acc === a) hitsU.set(a, (hitsU.get(a) ?? 0) + 1);
              if (acc.length >= a.length) break;
            }
          }
        }
      }
      for (const a of answers) {
        for (const [hits, terminated] of [
          [hitsT, true],
          [hitsU, false],
        ] as const) {
          const p = groundTruth(model, prompt, a, { terminated });
          const freq = (hits.get(a) ?? 0) / N;
          const sd = Math.sqrt((p * (1 - p)) / N);
          assert.ok(Math.abs(freq - p) < 4.5 * sd + 0.004, `${a} terminated=${terminated}: ${freq} vs truth ${p}`);
        }
      }
    } finally {
      await d.close();
    }
  });
});

/** Token paths spelling `answer` exactly (test-side enumeration, for structure checks). */
function countPaths(model: ScriptedModel, prompt: string, answer: string): number {
  const nodes = model.script[0]?.nodes ?? {};
  const go = (pos: number): number => {
    if (pos === answer.length) return 1;
    const dist: TokenDist = nodes[answer.slice(0, pos)] ?? [];
    let n = 0;
    for (const { token, prob } of dist) if (prob > 0 && token !== '' && answer.startsWith(token, pos)) n += go(pos + token.length);
    return n;
  };
  void prompt;
  return go(0);
}

function rankAt(dist: TokenDist, token: string): number {
  const sorted = [...dist].sort((a, b) => b.prob - a.prob);
  return sorted.findIndex((e) => e.token === token);
}

describe('ollama double: script builders and tokenizer', () => {
  test('tokenizer: letter runs with a leading space, ≤3 digits, single other chars', () => {
    assert.deepEqual(tokenize('60+21->81'), ['60', '+', '21', '-', '>', '81']);
    assert.deepEqual(tokenize('hello world 2025'), ['hello', ' world', ' 202', '5']);
    assert.deepEqual(tokenize('ochenta y uno\nquatre-vingt-un'), ['ochenta', ' y', ' uno', '\n', 'quatre', '-', 'vingt', '-', 'un']);
    assert.deepEqual(tokenize('  veintidós'), [' ', ' veintidós']);
    assert.equal(tokenize('60+21->81').join(''), '60+21->81');
  });

  test('scriptFromAnswers: masses, shared first tokens, prefix answers, ≥30 distractors incl. " 81" and "810"', () => {
    const entry = scriptFromAnswers('60+21->', [
      { text: '81', prob: 0.4 },
      { text: 'eighty-one', prob: 0.2 },
      { text: 'eighty', prob: 0.1 },
      { text: 'ochenta y uno', prob: 0.05 },
      { text: '8', prob: 0.001 },
    ]);
    const model: ScriptedModel = { name: 'double-sfa', script: [entry] };
    const root = entry.nodes[''] as TokenDist;
    const rootTotal = root.reduce((s, e) => s + e.prob, 0);
    assert.ok(Math.abs(rootTotal - 1) < 1e-9);
    const p = (tok: string): number => root.find((e) => e.token === tok)?.prob ?? 0;
    assert.ok(Math.abs(p('81') - 0.4) < 1e-12);
    assert.ok(Math.abs(p('eighty') - 0.3) < 1e-12, '"eighty-one" and "eighty" share the first token');
    assert.ok(root.length >= 30 + 5);
    assert.ok(p(' 81') > 0 && p('810') > 0, 'leading-space and extension variants present');
    assert.ok(rankAt(root, '8') >= 20, 'a small answer token is outside the top 20');
    // Inner continuation close to 1; terminator after a complete answer.
    const afterEighty = entry.nodes['eighty'] as TokenDist;
    const dash = afterEighty.find((e) => e.token === '-')?.prob ?? 0;
    const nl = afterEighty.find((e) => e.token === '\n')?.prob ?? 0;
    assert.ok(Math.abs(dash / (dash + nl / 0.9) - 2 / 3) < 0.03, 'split by answer masses');
    const after81 = entry.nodes['81'] as TokenDist;
    assert.ok(Math.abs((after81.find((e) => e.token === '\n')?.prob ?? 0) - 0.9) < 1e-12);
    // Ground truth ≈ intended mass.
    assert.ok(Math.abs(groundTruth(model, '60+21->', '81') - 0.4 * S) < 1e-12);
    assert.ok(Math.abs(groundTruth(model, '60+21->', '81', { terminated: true }) - 0.4 * (0.9 + 0.1 * 0.3) * S ** 2) < 1e-12);
    const e1 = groundTruth(model, '60+21->', 'eighty-one');
    assert.ok(e1 > 0.2 * 0.93 && e1 < 0.2, `eighty-one ≈ 0.2 (${e1})`);
    assert.ok(groundTruth(model, '60+21->', 'ochenta y uno') > 0.05 * 0.9);
    // Explicit tokens; an answer that is a prefix of another through the same node.
    const e2 = scriptFromAnswers('Q', [
      { text: '10', prob: 0.3, tokens: ['10'] },
      { text: '105', prob: 0.2, tokens: ['10', '5'] },
    ]);
    const m2: ScriptedModel = { name: 'double-prefix', script: [e2] };
    assert.ok(Math.abs(groundTruth(m2, 'Q', '10') - 0.5 * S) < 1e-12, 'unterminated P("10") includes "105" (paper §11)');
    const t10 = groundTruth(m2, 'Q', '10', { terminated: true });
    assert.ok(t10 > 0.3 * 0.9 * 0.95 && t10 < 0.3, `terminated P("10") ≈ 0.3·0.93 (${t10})`);
    assert.ok(Math.abs(groundTruth(m2, 'Q', '105') / 0.2 - 1) < 0.04);
    assert.throws(() => scriptFromAnswers('Q', [{ text: 'a', prob: 0.7 }, { text: 'b', prob: 0.6 }]));
    assert.throws(() => scriptFromAnswers('Q', [{ text: 'ab', prob: 0.5, tokens: ['a', 'c'] }]));
  });

  test('randomScriptedModel: several tokenizations, tails beyond the top 20, EOS, crossing tokens; deterministic', () => {
    const answers = ['81', 'eighty-one', 'quatre-vingt-un', 'ochenta y uno'];
    let multiPath = 0;
    let outsideTop20 = 0;
    let crossing = 0;
    let eos = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const m = randomScriptedModel(seed, `double-r${seed}`, '60+21->', answers);
      const nodes = m.script[0]?.nodes ?? {};
      if (answers.some((a) => countPaths(m, '60+21->', a) >= 2)) multiPath++;
      let out = false;
      for (const a of answers) {
        for (const [ctx, dist] of Object.entries(nodes)) {
          if (!a.startsWith(ctx) || ctx === a) continue;
          for (const { token } of dist) if (token !== '' && a.startsWith(token, ctx.length) && rankAt(dist, token) >= 20) out = true;
        }
      }
      if (out) outsideTop20++;
      if (Object.values(nodes).some((dist) => dist.some((e) => e.token.length > 1 && e.token.endsWith('\n') && !e.token.startsWith('\n')))) crossing++;
      if (Object.values(nodes).every((dist) => dist.some((e) => e.token === ''))) eos++;
      const root = nodes[''] as TokenDist;
      assert.ok(root.length >= 30);
      assert.ok(root.some((e) => e.token === ' 81'));
    }
    assert.ok(multiPath >= 10, `multi-path answers in ${multiPath}/20 models`);
    assert.ok(outsideTop20 >= 5, `answer tokens outside the top 20 in ${outsideTop20}/20 models`);
    assert.ok(crossing >= 5, `crossing tokens in ${crossing}/20 models`);
    assert.equal(eos, 20, 'every node has EOS');
    assert.deepEqual(randomScriptedModel(3, 'a', 'p', answers), randomScriptedModel(3, 'a', 'p', answers));
  });

  test('demo: reads examples/*.txt (CRLF, trailing whitespace) and the answers table in file order', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ollama-double-demo-'));
    try {
      mkdirSync(join(dir, 'examples'));
      writeFileSync(join(dir, 'examples', 'ab.txt'), '96@55=96\r\n88@46=46\r\n32@36=\r\n\r\n');
      writeFileSync(join(dir, 'examples', 'other.txt'), 'no answers for me');
      mkdirSync(join(dir, 'test', 'double', 'fixtures'), { recursive: true });
      writeFileSync(join(dir, 'test', 'double', 'fixtures', 'demo-answers.json'), '{ "ab.txt": { "36": 0.3, "32": 0.25, "68": 0.2 } }');
      const logs: string[] = [];
      const demo = buildDemoModels({ repoRoot: dir, log: (l) => logs.push(l) });
      assert.equal(demo.prompts.length, 1);
      assert.equal(demo.prompts[0]?.prompt, '96@55=96\n88@46=46\n32@36=');
      assert.deepEqual(demo.models.map((m) => m.name), ['double-superposed:latest', 'double-collapsed:latest']);
      const [sup, col] = demo.models as [ScriptedModel, ScriptedModel];
      const prompt = '96@55=96\n88@46=46\n32@36=';
      assert.ok(Math.abs(groundTruth(sup, prompt, '36') - 0.3 * S) < 1e-12);
      assert.ok(Math.abs(groundTruth(sup, prompt, '32') - 0.25 * S) < 1e-12);
      assert.ok(Math.abs(groundTruth(col, prompt, '36') - 0.9 * S) < 1e-12, 'first answer in file order, not "32"');
      assert.ok(logs.some((l) => l.includes('other.txt')));
      // Served over HTTP: greedy answer differs between the two demo models on the "collapsed" prompt.
      const d = await startOllamaDouble({ models: demo.models });
      try {
        const r = await genJson(d, { model: 'double-collapsed', prompt, raw: true, options: { temperature: 0, num_predict: 1 } });
        assert.equal(r.response, '36');
      } finally {
        await d.close();
      }
      const empty = buildDemoModels({ repoRoot: join(dir, 'nowhere'), log: (l) => logs.push(l) });
      assert.deepEqual(empty.models.map((m) => m.script.length), [0, 0]);
      assert.ok(logs.some((l) => /no answers table/.test(l)));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------- profiles (version lines)

const NICHI = [0xe6, 0x97, 0xa5]; // "日"
const FFFD = [0xef, 0xbf, 0xbd];

/** A model with control tokens, byte pieces of "日" and a continuation-only piece. */
const pieces: ScriptedModel = {
  name: 'double-pieces',
  eosToken: '<end_of_turn>',
  endTokens: ['<eos>'],
  controlTokens: ['<start_of_turn>'],
  script: [
    {
      prompt: 'J:',
      nodes: {
        '': [
          { token: '', bytes: NICHI.slice(0, 2), prob: 0.4 },
          { token: 'x', prob: 0.2 },
          { token: '<start_of_turn>', prob: 0.15 },
          { token: '', prob: 0.1 },
          { token: '<eos>', prob: 0.05 },
          { token: '', bytes: [0xa5], prob: 0.05 },
          { token: '', bytes: [0x61, 0xe6], prob: 0.05 },
        ],
        x: [{ token: '\n', prob: 1 }],
        '<start_of_turn>': [{ token: 'model', prob: 1 }],
      },
      byteNodes: [{ ctx: NICHI.slice(0, 2), dist: [{ token: '', bytes: [0xa5], prob: 1 }] }],
    },
    {
      prompt: 'H:',
      nodes: { '': [{ token: 'Us', prob: 1 }], Us: [{ token: 'er', prob: 1 }], User: [{ token: ':', prob: 1 }] },
    },
  ],
};

async function gen(d: OllamaDouble, body: Json): Promise<Json> {
  return genJson(d, { raw: true, logprobs: true, top_logprobs: 20, ...body });
}

/** A seed whose first sampled token is the one wanted (the double is deterministic per seed). */
async function seedFor(d: OllamaDouble, model: string, prompt: string, accept: (r: Json) => boolean, extra: Json = {}): Promise<{ seed: number; reply: Json }> {
  for (let seed = 0; seed < 400; seed++) {
    const reply = await gen(d, { model, prompt, options: { ...SAMPLE_ALL, seed, num_predict: 1, ...extra } });
    if (accept(reply)) return { seed, reply };
  }
  throw new Error('no seed found');
}

describe('ollama double: profiles chosen by version', () => {
  test('version → profile: < 0.30 go (0.0.0 too), ≥ 0.30 llama-server; the profile can be forced', async () => {
    for (const [version, profile] of [['0.13.0', 'go'], ['0.24.0', 'go'], ['0.0.0', 'go'], ['0.30.0', 'llama-server'], ['0.32.15', 'llama-server']] as const) {
      const d = await startOllamaDouble({ models: [], version });
      try {
        assert.equal(d.profile, profile, version);
        assert.equal(d.version, version);
        assert.deepEqual(await (await fetch(`${d.url}/api/version`)).json(), { version });
      } finally {
        await d.close();
      }
    }
    const forced = await startOllamaDouble({ models: [], version: '0.0.0', profile: 'llama-server' });
    assert.equal(forced.profile, 'llama-server');
    await forced.close();
    const dflt = await startOllamaDouble({ models: [] });
    assert.equal(dflt.profile, 'go');
    assert.equal(dflt.version, '0.13.0');
    await dflt.close();
  });

  describe('go (< 0.30)', () => {
    let d: OllamaDouble;
    before(async () => {
      d = await startOllamaDouble({ models: [pieces, basic], version: '0.24.0' });
    });
    after(() => d.close());

    test('top list: literal end/control texts with bytes; partial UTF-8 as one U+FFFD per invalid byte', async () => {
      const r = await gen(d, { model: 'double-pieces', prompt: 'J:', options: { temperature: 0, num_predict: 1 } });
      // The greedy token is the partial piece E6 97: nothing is sent (below); take the list from a sampled text token.
      assert.equal(r.logprobs, undefined);
      const { reply } = await seedFor(d, 'double-pieces', 'J:', (x) => x.response === 'x');
      const top = ((reply.logprobs as Entry[])[0] as Entry).top_logprobs as Entry[];
      assert.equal(top.length, 20);
      const byToken = top.slice(0, 7).map((e) => [e.token, e.bytes]);
      assert.deepEqual(byToken, [
        ['\ufffd\ufffd', [...FFFD, ...FFFD]],
        ['x', [0x78]],
        ['<start_of_turn>', [...Buffer.from('<start_of_turn>')]],
        ['<end_of_turn>', [...Buffer.from('<end_of_turn>')]],
        ['<eos>', [...Buffer.from('<eos>')]],
        ['\ufffd', FFFD],
        ['a\ufffd', [0x61, ...FFFD]],
      ]);
    });

    test('a sampled partial piece: held until the character completes (all entries then), dropped at num_predict (flushPending)', async () => {
      const { seed, reply } = await seedFor(d, 'double-pieces', 'J:', (x) => x.response === '' && x.done_reason === 'length');
      assert.equal(reply.logprobs, undefined, 'no logprobs at all: the piece is trimmed and nothing is sent');
      assert.equal(reply.eval_count, 1);
      const lines = await ndjson(await post(d, '/api/generate', { model: 'double-pieces', prompt: 'J:', raw: true, logprobs: true, options: { ...SAMPLE_ALL, seed, num_predict: 2 } }));
      const chunks = lines.slice(0, -1);
      assert.equal(chunks.length, 1, 'one chunk once the character is complete');
      assert.equal(chunks[0]?.response, '日');
      assert.deepEqual(((chunks[0]?.logprobs as Entry[]) ?? []).map((e) => e.token), ['\ufffd\ufffd', '\ufffd']);
    });

    test('a sampled control token is text; a sampled end token (either) ends with "stop" and no entry', async () => {
      const { reply } = await seedFor(d, 'double-pieces', 'J:', (x) => String(x.response).startsWith('<start_of_turn>'));
      assert.equal(((reply.logprobs as Entry[])[0] as Entry).token, '<start_of_turn>');
      const ends = new Set<string>();
      for (let seed = 0; seed < 300 && ends.size < 1; seed++) {
        const r = await gen(d, { model: 'double-pieces', prompt: 'J:', options: { ...SAMPLE_ALL, seed, num_predict: 1 } });
        if (r.done_reason === 'stop') {
          assert.equal(r.logprobs, undefined);
          assert.equal(r.response, '');
          ends.add('stop');
        }
      }
      assert.equal(ends.size, 1);
    });

    test('stop hold-back: a held stop prefix is flushed at num_predict (Go)', async () => {
      const r = await gen(d, { model: 'double-pieces', prompt: 'H:', options: { temperature: 0, num_predict: 2, stop: ['User:'] } });
      assert.equal(r.response, 'User');
      assert.deepEqual((r.logprobs as Entry[]).map((e) => e.token), ['Us', 'er']);
    });
  });

  describe('llama-server (≥ 0.30)', () => {
    let d: OllamaDouble;
    before(async () => {
      d = await startOllamaDouble({ models: [pieces, basic], version: '0.32.15' });
    });
    after(() => d.close());

    test('top list: control, end and lead-partial pieces as "" without bytes; continuation-only as "\\ufffd"', async () => {
      const { reply } = await seedFor(d, 'double-pieces', 'J:', (x) => x.response === 'x');
      const top = ((reply.logprobs as Entry[])[0] as Entry).top_logprobs as Entry[];
      assert.equal(top.length, 20);
      assert.deepEqual(
        top.slice(0, 7).map((e) => [e.token, e.bytes]),
        [
          ['', undefined],
          ['x', [0x78]],
          ['', undefined],
          ['', undefined],
          ['', undefined],
          ['\ufffd', FFFD],
          ['a', [0x61]],
        ],
      );
      for (const e of top.filter((x) => x.token === '')) assert.ok(!('bytes' in e));
    });

    test('chunks with empty text are dropped with their entries: control tokens, incomplete characters, held stop prefixes', async () => {
      // A sampled control token: no entry; the generation goes on.
      const ctl = await seedFor(d, 'double-pieces', 'J:', (x) => x.done_reason === 'length' && x.logprobs === undefined && x.response === '');
      const two = await gen(d, { model: 'double-pieces', prompt: 'J:', options: { ...SAMPLE_ALL, seed: ctl.seed, num_predict: 2 } });
      // Either the partial piece then its completion ("日", one entry: the completing token's) or the
      // control token then "model" (one entry: "model"'s).
      assert.ok(two.response === '日' || two.response === 'model', String(two.response));
      const entries = (two.logprobs as Entry[]).map((e) => e.token);
      assert.deepEqual(entries, [two.response === '日' ? '\ufffd' : 'model']);
      // A held stop prefix is never sent: at num_predict it is lost with its entries.
      const held = await gen(d, { model: 'double-pieces', prompt: 'H:', options: { temperature: 0, num_predict: 2, stop: ['User:'] } });
      assert.equal(held.response, '');
      assert.equal(held.logprobs, undefined);
      assert.equal(held.done_reason, 'length');
      // A full match: the text before the stop goes out (here nothing), and the generation stops.
      const full = await gen(d, { model: 'double-pieces', prompt: 'H:', options: { temperature: 0, stop: ['User:'] } });
      assert.equal(full.response, '');
      assert.equal(full.done_reason, 'stop');
    });

    test('plain text streams as on Go runners (one chunk and one entry per token)', async () => {
      const lines = await ndjson(await post(d, '/api/generate', { model: 'double-basic', prompt: P, raw: true, logprobs: true, options: { temperature: 0 } }));
      assert.deepEqual(lines.slice(0, -1).map((c) => c.response), ['A', 'b', 'c']);
      assert.deepEqual(lines.slice(0, -1).map((c) => (c.logprobs as Entry[]).length), [1, 1, 1]);
      assert.equal(lines.at(-1)?.done_reason, 'stop');
    });
  });

  describe('num_ctx: truncation, or a 400 with truncate:false', () => {
    const prompt = `${'ab '.repeat(30)}end->`; // 30 " ab" words…: many tokens
    const model: ScriptedModel = { name: 'double-ctx', parameters: { num_ctx: 20 }, script: [{ prompt, nodes: { '': [{ token: 'OK', prob: 1 }] } }], fallback: [{ token: 'cut', prob: 1 }] };
    for (const [version, want, error] of [
      ['0.24.0', 20, 'the input length exceeds the context length'],
      ['0.32.15', 20 - Math.floor((20 - 4) / 2), `request (${tokenize(prompt).length} tokens) exceeds the available context size (20 tokens), try increasing it`],
    ] as const) {
      test(`${version}: silent truncation to ${want} tokens (first 4 kept); truncate:false → 400`, async () => {
        const d = await startOllamaDouble({ models: [model], version });
        try {
          const cut = await genJson(d, { model: 'double-ctx', prompt, raw: true, options: { temperature: 0, num_predict: 1 } });
          assert.equal(cut.prompt_eval_count, want);
          assert.equal(cut.response, 'cut', 'the model saw the cut prompt (no longer the scripted one)');
          const big = await genJson(d, { model: 'double-ctx', prompt, raw: true, options: { temperature: 0, num_predict: 1, num_ctx: 4096 } });
          assert.equal(big.prompt_eval_count, tokenize(prompt).length);
          assert.equal(big.response, 'OK');
          const refused = await post(d, '/api/generate', { model: 'double-ctx', prompt, raw: true, truncate: false, stream: false, options: { num_predict: 1 } });
          assert.equal(refused.status, 400);
          assert.deepEqual(await refused.json(), { error });
          const fits = await genJson(d, { model: 'double-ctx', prompt: 'short', raw: true, truncate: false, options: { num_predict: 1 } });
          assert.equal(fits.done, true);
        } finally {
          await d.close();
        }
      });
    }
  });

  test('Modelfile parameters are printed Go-quoted (%#v): stop "\\n\\n" shows as `"\\n\\n"`', async () => {
    const d = await startOllamaDouble({ models: [{ name: 'double-q', parameters: { stop: ['\n\n', 'say "x"', '\t', 'é', '\u0001'], temperature: 0.5, num_ctx: 2048 }, script: [] }] });
    try {
      const s = (await (await post(d, '/api/show', { model: 'double-q' })).json()) as Json;
      const pad = (k: string) => k.padEnd(30);
      assert.equal(
        s.parameters,
        [`${pad('stop')} "\\n\\n"`, `${pad('stop')} "say \\"x\\""`, `${pad('stop')} "\\t"`, `${pad('stop')} "é"`, `${pad('stop')} "\\x01"`, `${pad('temperature')} 0.5`, `${pad('num_ctx')} 2048`].join('\n'),
      );
      assert.equal(goQuote('\n\n'), '"\\n\\n"');
      assert.equal(goQuote('\u200b\u{1F600}\u{E000}'), '"\\u200b\u{1F600}\\ue000"');
    } finally {
      await d.close();
    }
  });
});

describe('ollama double: vocabulary tail, duplicates, bytes', () => {
  test('top lists always have exactly top_logprobs entries (fillers); size 0 turns the tail off; twins are not merged', async () => {
    const twins: ScriptedModel = { name: 'double-twins', script: [{ prompt: 'T:', nodes: { '': [{ token: 'a', prob: 0.5 }, { token: 'a', prob: 0.3 }, { token: 'b', prob: 0.2 }] } }] };
    const d = await startOllamaDouble({ models: [twins, { ...twins, name: 'double-twins-0', vocabulary: { size: 0 } }] });
    try {
      for (const n of [1, 3, 5, 20]) {
        const r = await gen(d, { model: 'double-twins', prompt: 'T:', top_logprobs: n, options: { temperature: 0, num_predict: 1 } });
        const top = ((r.logprobs as Entry[])[0] as Entry).top_logprobs as Entry[];
        assert.equal(top.length, n);
        assert.deepEqual(top.slice(0, 3).map((e) => e.token), ['a', 'a', 'b'].slice(0, n));
      }
      const r0 = await gen(d, { model: 'double-twins-0', prompt: 'T:', options: { temperature: 0, num_predict: 1 } });
      const top0 = ((r0.logprobs as Entry[])[0] as Entry).top_logprobs as Entry[];
      assert.deepEqual(top0.map((e) => [e.token, e.logprob]), [['a', Math.fround(Math.log(0.5))], ['a', Math.fround(Math.log(0.3))], ['b', Math.fround(Math.log(0.2))]]);
      // Sampling: the twins are two tokens with their own mass.
      let a = 0;
      for (let seed = 0; seed < 400; seed++) if ((await gen(d, { model: 'double-twins-0', prompt: 'T:', options: { ...SAMPLE_ALL, seed, num_predict: 1 } })).response === 'a') a++;
      assert.ok(Math.abs(a / 400 - 0.8) < 0.08, `P(a) sampled ${a / 400}`);
      assert.ok(Math.abs(groundTruth(twins, 'T:', 'a') - 0.8 * S) < 1e-12);
    } finally {
      await d.close();
    }
  });

  test('ground truth over bytes: byte pieces join ("日" = E6 97 + A5); end and control tokens never spell text', () => {
    const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} ≈ ${b}`);
    const m: ScriptedModel = { ...pieces, vocabulary: { size: 0 } };
    close(groundTruth(m, 'J:', '日'), 0.4);
    close(groundTruth(m, 'J:', '日', { terminated: true }), 0.4); // the fallback after "日": "\n" 0.9 + EOS 0.1
    close(groundTruth(m, 'J:', 'x', { terminated: true }), 0.2);
    close(groundTruth(m, 'J:', 'a'), 0); // "a" + E6 is a piece longer than "a"
    close(groundTruth(m, 'J:', '<start_of_turn>'), 0);
    close(groundTruth(m, 'J:', '', { terminated: true }), 0.1 + 0.05); // EOS and the other end token
    assert.throws(() => groundTruth(m, 'J:', `${FILLER_MARK}1`), /U\+E000/);
  });

  test('Monte Carlo through HTTP agrees with the byte-level ground truth on both profiles', async () => {
    const answers = ['日本', 'ñandú', 'veintidós', '81'];
    const model = randomScriptedModel(31, 'double-mc-bytes', 'MC->', answers, { bytePieces: 0.9, answerMass: 0.9 });
    assert.ok(model.script[0]?.byteNodes?.length, 'byte pieces were scripted');
    for (const version of ['0.24.0', '0.32.15']) {
      const d = await startOllamaDouble({ models: [model], parallel: 8, version });
      try {
        const N = 1200;
        const hits = new Map<string, number>();
        for (let base = 0; base < N; base += 100) {
          const batch = await Promise.all(Array.from({ length: 100 }, (_, i) => genJson(d, { model: 'double-mc-bytes', prompt: 'MC->', raw: true, options: { ...SAMPLE_ALL, seed: base + i, num_predict: 14, stop: ['\n'] } })));
          for (const r of batch) {
            const text = String(r.response);
            for (const a of answers) if (text === a && r.done_reason === 'stop') hits.set(a, (hits.get(a) ?? 0) + 1);
          }
        }
        for (const a of answers) {
          const p = groundTruth(model, 'MC->', a, { terminated: true });
          const freq = (hits.get(a) ?? 0) / N;
          assert.ok(Math.abs(freq - p) < 4.5 * Math.sqrt((p * (1 - p)) / N) + 0.004, `${version} ${a}: ${freq} vs truth ${p}`);
        }
      } finally {
        await d.close();
      }
    }
  });

  test('the prompt cache: a repeated prompt evaluates only its new tokens (prompt_eval_duration), count stays the whole prompt', async () => {
    const d = await startOllamaDouble({ models: [basic], promptTokenNs: 1_000_000 });
    try {
      const long = `${'word '.repeat(200)}P:`;
      const cold = await genJson(d, { model: 'double-basic', prompt: long, raw: true, options: { num_predict: 1 } });
      const warm = await genJson(d, { model: 'double-basic', prompt: `${long}A`, raw: true, options: { num_predict: 1 } });
      assert.equal(warm.prompt_eval_count, tokenize(`${long}A`).length);
      assert.ok((cold.prompt_eval_duration as number) > 100 * 1_000_000, String(cold.prompt_eval_duration));
      assert.ok((warm.prompt_eval_duration as number) < 5 * 1_000_000, String(warm.prompt_eval_duration));
    } finally {
      await d.close();
    }
  });
});

describe('ollama double: tokenizer-aware mode (D5)', () => {
  // "81" canonically is one token; the path "8"+"1" is not canonical: the model continues differently.
  const aware: ScriptedModel = {
    name: 'double-aware',
    vocabulary: { size: 0 },
    tokenizerAware: { nodes: { '81': [{ token: '0', prob: 0.8 }, { token: '\n', prob: 0.2 }] } },
    script: [{ prompt: 'A->', nodes: { '': [{ token: '81', prob: 0.5 }, { token: '8', prob: 0.5 }], '8': [{ token: '1', prob: 1 }], '81': [{ token: '\n', prob: 0.9 }, { token: '0', prob: 0.1 }] } }],
  };

  test('truth by token paths vs by text; tokenizerBias', () => {
    const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) < 1e-12, `${a} ≈ ${b}`);
    close(groundTruth(aware, 'A->', '81', { terminated: true }), 0.5 * 0.9 + 0.5 * 0.2);
    close(groundTruth(aware, 'A->', '81', { terminated: true, conditioning: 'text' }), 0.9);
    close(groundTruth(aware, 'A->', '810'), 0.5 * 0.1 + 0.5 * 0.8);
    const b = tokenizerBias(aware, 'A->', '81', { terminated: true });
    close(b.bias, 0.9 - 0.55);
    // Without the mode both conditionings agree.
    const plain: ScriptedModel = { ...aware, tokenizerAware: undefined };
    close(groundTruth(plain, 'A->', '81', { terminated: true }), 0.9);
    // A perturbed off-path distribution (no override): deterministic and different from the scripted one.
    const perturbed: ScriptedModel = { ...aware, tokenizerAware: { strength: 1 } };
    const p1 = groundTruth(perturbed, 'A->', '81', { terminated: true });
    assert.equal(p1, groundTruth(perturbed, 'A->', '81', { terminated: true }));
    assert.ok(Math.abs(p1 - 0.9) > 1e-6);
  });

  test('1-token requests see the canonical state; generation follows the token path', async () => {
    const d = await startOllamaDouble({ models: [aware], parallel: 8, float32Logprobs: false });
    try {
      // Asked as text, "A->81" is canonical: "\n" 0.9.
      const r = await gen(d, { model: 'double-aware', prompt: 'A->81', options: { temperature: 0, num_predict: 1 } });
      assert.equal(((r.logprobs as Entry[])[0] as Entry).token, '\n');
      assert.equal(((r.logprobs as Entry[])[0] as Entry).logprob, Math.log(0.9));
      // Generated from "A->": after "8"+"1" the model mostly writes "0".
      const N = 1000;
      let done81 = 0;
      for (let base = 0; base < N; base += 100) {
        const batch = await Promise.all(Array.from({ length: 100 }, (_, i) => genJson(d, { model: 'double-aware', prompt: 'A->', raw: true, options: { ...SAMPLE_ALL, seed: base + i, num_predict: 3, stop: ['\n'] } })));
        for (const x of batch) if (x.response === '81' && x.done_reason === 'stop') done81++;
      }
      const p = groundTruth(aware, 'A->', '81', { terminated: true });
      assert.ok(Math.abs(done81 / N - p) < 4.5 * Math.sqrt((p * (1 - p)) / N), `${done81 / N} vs path truth ${p}`);
      assert.equal(d.truth('double-aware', 'A->', '81', { terminated: true }), p);
    } finally {
      await d.close();
    }
  });
});
