// The client and estimators read replies the way a REAL Ollama sends them on each version line
// (/work/shared/reference/ollama-fidelity.md): split characters (D1, D2), end and control tokens,
// duplicate texts (D12), Go-quoted Modelfile stops (D6), context refusals (D3), stop: [] (D4),
// version 0.0.0 (D8). Replies are hand-built here, shaped as the source says the server sends
// them; the double's profiles exercise the same paths over HTTP in double*.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scoreAnswers } from '../../src/core/estimate/teacherForced';
import { classifyPiece, type NextTokenSource } from '../../src/core/estimate/tokenSource';
import { topCompletions } from '../../src/core/estimate/topCompletions';
import type { NextTokenReply } from '../../src/core/ollama/client';
import { OllamaClient } from '../../src/core/ollama/client';
import { classifyError, logprobsSupport } from '../../src/core/ollama/errors';
import { parseModelfileStops, unquoteGo } from '../../src/core/ollama/goQuoted';
import type { TokenLogprob } from '../../src/core/ollama/types';

type Entry = { token: string; p: number; bytes?: number[] };
const FFFD = [0xef, 0xbf, 0xbd];

/** A source answering from a table prefix → top list (all mass listed unless the table says less). */
function tableSource(table: Record<string, Entry[]>): NextTokenSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    get requests() {
      return asked.length;
    },
    async next(prefix: string): Promise<NextTokenReply> {
      asked.push(prefix);
      const rows = table[prefix];
      if (!rows) return { top: [] };
      const top: TokenLogprob[] = rows.map((r) => ({ token: r.token, logprob: Math.log(r.p), ...(r.bytes ? { bytes: r.bytes } : r.token ? { bytes: [...Buffer.from(r.token)] } : {}) }));
      return { top };
    },
  };
}

const near = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} ≉ ${b}`);

test('D2 Go runners: a character split into byte pieces (one U+FFFD per invalid byte) stays in the upper bound, never a completion', async () => {
  // Truth: P("日") = 0.6, reached only through the pieces E6 97 + A5.
  const source = tableSource({
    '': [
      { token: '\ufffd\ufffd', p: 0.6, bytes: [...FFFD, ...FFFD] },
      { token: '本', p: 0.3 },
      { token: 'x', p: 0.1 },
    ],
    x: [{ token: '\n', p: 1 }],
    本: [{ token: '\n', p: 1 }],
  });
  const { scores } = await scoreAnswers(source, ['日', '本']);
  const [ri, hon] = scores;
  assert.ok(ri!.upper >= 0.6 - 1e-9, `upper ${ri!.upper} below the truth 0.6`);
  assert.equal(ri!.lower, 0);
  assert.equal(ri!.exact, false);
  near(hon!.lower, 0.3);
  assert.ok(hon!.upper >= 0.3);
  const { completions } = await topCompletions(source, { k: 3 });
  assert.ok(!completions.some((c) => c.text.includes('\ufffd')), JSON.stringify(completions));
  assert.deepEqual(completions.map((c) => c.text), ['本', 'x']);
});

test('D1/D2 llama-server: "" without bytes is ambiguous — gap for a terminated answer, a non-ASCII continuation, never "exact" or a completion', async () => {
  // After "81": 0.6 newline, 0.1 EOS and 0.3 the lead bytes of an emoji — both of the latter are "" on ≥ 0.30.
  const table = {
    '': [
      { token: '81', p: 0.5 },
      { token: '日', p: 0.2 },
      { token: '', p: 0.3 },
    ],
    '81': [
      { token: '\n', p: 0.6 },
      { token: '', p: 0.1 },
      { token: '', p: 0.3 },
    ],
    日: [{ token: '\n', p: 1 }],
  };
  const terminated = await scoreAnswers(tableSource(table), ['81', '日', 'ab'], { terminated: true });
  const [s81, sRi, sAb] = terminated.scores;
  near(s81!.lower, 0.3);
  near(s81!.upper, 0.5);
  assert.equal(s81!.exact, false);
  // The root's "" may be the first bytes of 日: an uncertainty for 日 (next byte non-ASCII), not for "ab".
  near(sRi!.lower, 0.2);
  near(sRi!.upper, 0.5);
  near(sAb!.upper, 0);
  const { completions } = await topCompletions(tableSource(table), { k: 3 });
  assert.deepEqual(completions, [
    { text: '81', probability: 0.3 },
    { text: '日', probability: 0.2 },
  ]);
});

test('Go runners: literal end tokens end the text, other control tokens are neither an end nor an answer', async () => {
  const table = {
    '': [{ token: '81', p: 1 }],
    '81': [
      { token: '\n', p: 0.5 },
      { token: '<end_of_turn>', p: 0.2 },
      { token: '<eos>', p: 0.1 },
      { token: '<start_of_turn>', p: 0.2 },
    ],
  };
  const { scores } = await scoreAnswers(tableSource(table), ['81'], { terminated: true });
  near(scores[0]!.lower, 0.8);
  near(scores[0]!.upper, 1); // the control token may or may not end the text
  const { completions } = await topCompletions(tableSource(table), { k: 2 });
  assert.deepEqual(completions.map((c) => c.text), ['81']);
  near(completions[0]!.probability, 0.8);
  assert.equal(classifyPiece({ token: '<start_of_turn>', logprob: 0 }), 'special');
  assert.equal(classifyPiece({ token: '<eos>', logprob: 0 }), 'eos');
  assert.equal(classifyPiece({ token: '', logprob: 0 }), 'ambiguous');
  assert.equal(classifyPiece({ token: 'é\ufffd', logprob: 0, bytes: [0xc3, 0xa9, ...FFFD] }), 'partial');
});

test('a partial piece with a readable start: only answers continuing it with a non-ASCII byte get its mass', async () => {
  const table = {
    '': [
      { token: 'tr\ufffd', p: 0.4, bytes: [0x74, 0x72, ...FFFD] }, // "tr" + the lead byte of "è"/"é"…
      { token: 'tres', p: 0.35 },
      { token: 'tri\n', p: 0.25 },
    ],
  };
  const { scores } = await scoreAnswers(tableSource(table), ['très', 'tres', 'tr', 'tri'], { terminated: true });
  const [tres1, tres2, tr, tri] = scores;
  near(tres1!.upper, 0.4);
  near(tres1!.lower, 0);
  near(tres2!.upper, 0.35); // only its own piece: "tres" needs "e" after "tr" (ASCII), so the partial piece is not it
  near(tr!.upper, 0); // "tr" followed by unseen non-ASCII bytes is not a terminated "tr"
  near(tri!.lower, 0.25);
});

test('D12: identical texts in one top list are distinct tokens — both paths count', async () => {
  const table = {
    '': [
      { token: '8', p: 0.3 },
      { token: '8', p: 0.2 }, // e.g. <0x38> and "8"
      { token: '9', p: 0.5 },
    ],
    '8': [{ token: '\n', p: 1 }],
    '9': [{ token: '\n', p: 1 }],
  };
  const plain = await scoreAnswers(tableSource(table), ['8']);
  near(plain.scores[0]!.lower, 0.5);
  const done = await scoreAnswers(tableSource(table), ['8'], { terminated: true });
  near(done.scores[0]!.lower, 0.5);
  const { completions } = await topCompletions(tableSource(table), { k: 2 });
  assert.deepEqual(completions.map((c) => c.text).sort(), ['8', '9']);
  for (const c of completions) near(c.probability, 0.5, 1e-12);
});

test('D6: Modelfile stops are Go-quoted (%#v): "\\n\\n" is two newlines, not "nn"', () => {
  const parameters = [
    'stop                           "\\n\\n"',
    'stop                           "<end_of_turn>"',
    'stop                           "\\t\\"q\\"\\\\"',
    'stop                           "caf\\u00e9 \\x41\\101 \\U0001f600"',
    'num_ctx                        512',
  ].join('\n');
  assert.deepEqual(parseModelfileStops(parameters), ['\n\n', '<end_of_turn>', '\t"q"\\', 'café AA 😀']);
  assert.equal(unquoteGo('bad \\q'), undefined);
  assert.equal(unquoteGo('\\xZZ'), undefined);
  assert.equal(unquoteGo('ü'), 'ü');
});

test('D3: both servers\' context refusals are a context-overflow error with a next step, not retried', () => {
  const refusal = (message: string) => Object.assign(new Error(message), { status_code: 400, error: message });
  const go = classifyError(refusal('the input length exceeds the context length'), { host: 'h', model: 'm' });
  assert.equal(go.kind, 'context-overflow');
  assert.equal(go.retryable, false);
  assert.match(go.nextStep, /Shorten the prompt/);
  assert.match(go.nextStep, /num_ctx/);
  const ls = classifyError(refusal('request (9000 tokens) exceeds the available context size (4096 tokens), try increasing it'), { host: 'h', model: 'm' });
  assert.equal(ls.kind, 'context-overflow');
  assert.match(ls.message, /9000 tokens; the context holds 4096/);
  assert.equal(classifyError(refusal('invalid options'), { host: 'h' }).kind, 'bad-request');
});

test('D3/D4: every generate request sends truncate:false; scoring requests send stop: [] (replacing the Modelfile\'s)', async () => {
  const bodies: Array<Record<string, unknown>> = [];
  const fetch = async (_input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
    const lines = [
      { model: 'm', response: '8', done: false, logprobs: [{ token: '8', logprob: -0.1, bytes: [56], top_logprobs: [{ token: '8', logprob: -0.1, bytes: [56] }] }] },
      { model: 'm', response: '', done: true, done_reason: 'length', prompt_eval_count: 3 },
    ];
    return new Response(lines.map((l) => JSON.stringify(l)).join('\n') + '\n', { status: 200, headers: { 'content-type': 'application/x-ndjson' } });
  };
  const client = new OllamaClient({ host: 'http://127.0.0.1:9', fetch, retries: 0 });
  const reply = await client.nextTokens('m', 'p', 20);
  assert.equal(reply.top[0]?.token, '8');
  await client.generate({ model: 'm', prompt: 'p', options: { num_predict: 4, stop: ['\n'] } });
  assert.equal(bodies.length, 2);
  for (const body of bodies) assert.equal(body['truncate'], false);
  assert.deepEqual((bodies[0]!['options'] as { stop: unknown }).stop, []);
  assert.deepEqual((bodies[1]!['options'] as { stop: unknown }).stop, ['\n']);
});

test('D8: a source build\'s version 0.0.0 is unknown, not "too old"; the probe asks one request', async () => {
  assert.equal(logprobsSupport('0.0.0'), 'unknown');
  assert.equal(logprobsSupport(''), 'unknown');
  assert.equal(logprobsSupport('0.12.10'), 'no');
  assert.equal(logprobsSupport('0.12.11'), 'yes');
  assert.equal(logprobsSupport('0.24.0'), 'yes');
  let calls = 0;
  const withLogprobs = (has: boolean) => async (): Promise<Response> => {
    calls++;
    const first = { model: 'm', response: 'x', done: false, ...(has ? { logprobs: [{ token: 'x', logprob: -1 }] } : {}) };
    return new Response(`${JSON.stringify(first)}\n${JSON.stringify({ model: 'm', response: '', done: true, done_reason: 'length' })}\n`, { status: 200 });
  };
  assert.equal(await new OllamaClient({ host: 'http://127.0.0.1:9', fetch: withLogprobs(true), retries: 0 }).probeLogprobs('m'), true);
  assert.equal(calls, 1);
  assert.equal(await new OllamaClient({ host: 'http://127.0.0.1:9', fetch: withLogprobs(false), retries: 0 }).probeLogprobs('m'), false);
});
