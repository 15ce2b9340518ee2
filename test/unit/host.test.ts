import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyError, compareVersions, OllamaError, supportsLogprobs } from '../../src/core/ollama/errors';
import { DEFAULT_OLLAMA_HOST, hostFromEnvironment, hostProblem, isLocalHost, resolveHost } from '../../src/core/ollama/host';

test('OLLAMA_HOST forms resolve like the Ollama CLI', () => {
  assert.equal(resolveHost(undefined), DEFAULT_OLLAMA_HOST);
  assert.equal(resolveHost(''), DEFAULT_OLLAMA_HOST);
  assert.equal(resolveHost('0.0.0.0'), 'http://127.0.0.1:11434');
  assert.equal(resolveHost('0.0.0.0:8080'), 'http://127.0.0.1:8080');
  assert.equal(resolveHost(':9999'), 'http://127.0.0.1:9999');
  assert.equal(resolveHost('gpu-box'), 'http://gpu-box:11434');
  assert.equal(resolveHost('https://ollama.example.com'), 'https://ollama.example.com');
  assert.equal(resolveHost('http://10.0.0.5:11434/'), 'http://10.0.0.5:11434');
});

test('an explicit host wins over OLLAMA_HOST', () => {
  assert.equal(hostFromEnvironment('http://a:1', { OLLAMA_HOST: 'b:2' }), 'http://a:1');
  assert.equal(hostFromEnvironment(undefined, { OLLAMA_HOST: 'b:2' }), 'http://b:2');
  assert.equal(hostFromEnvironment(undefined, {}), DEFAULT_OLLAMA_HOST);
});

test('local hosts are recognised', () => {
  assert.ok(isLocalHost('http://127.0.0.1:11434'));
  assert.ok(isLocalHost('http://localhost:1'));
  assert.ok(!isLocalHost('http://10.0.0.5:11434'));
});

test('versions compare numerically; logprobs need 0.12.11', () => {
  assert.equal(compareVersions('0.12.11', '0.12.9'), 1);
  assert.equal(compareVersions('0.9.0', '0.12.11'), -1);
  assert.equal(compareVersions('v0.13.0-rc1', '0.13.0'), 0);
  assert.ok(supportsLogprobs('0.12.11'));
  assert.ok(supportsLogprobs('0.32.15'));
  assert.ok(!supportsLogprobs('0.12.10'));
});

test('errors are classified with a next step', () => {
  const ctx = { host: 'http://127.0.0.1:1', model: 'm' };
  const refused = classifyError(Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }), ctx);
  assert.equal(refused.kind, 'not-running');
  assert.match(refused.nextStep, /Start Ollama/);
  const missing = classifyError(Object.assign(new Error("model 'm' not found"), { name: 'ResponseError', status_code: 404, error: "model 'm' not found" }), ctx);
  assert.equal(missing.kind, 'model-not-found');
  assert.match(missing.nextStep, /ollama pull m/);
  const busy = classifyError(Object.assign(new Error('server busy'), { status_code: 503, error: 'server busy' }), ctx);
  assert.equal(busy.kind, 'overloaded');
  assert.ok(busy.retryable);
  assert.equal(classifyError(Object.assign(new Error('bad'), { status_code: 400, error: 'bad' }), ctx).kind, 'bad-request');
  // A plain failure that did not come from the stream is not blamed on Ollama nor retried.
  const unknown = classifyError(new TypeError('x is not a function'), ctx);
  assert.equal(unknown.kind, 'unknown');
  assert.equal(unknown.retryable, false);
  const own = new OllamaError('stalled', 'x', 'y');
  assert.equal(classifyError(own, ctx), own);
});

test('hostProblem: a URL Ollama could listen on, or why not', () => {
  assert.equal(hostProblem(''), undefined);
  assert.equal(hostProblem('http://127.0.0.1:11434'), undefined);
  assert.equal(hostProblem('192.168.1.20:11434'), undefined);
  assert.match(hostProblem('ftp://x:1') ?? '', /http:\/\/ or https:\/\//);
  assert.match(hostProblem('http://[bad') ?? '', /Not a URL/);
});
