import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readSettings, type ConfigSource } from '../../src/extension/settings';

function source(values: Record<string, unknown>, workspace: Record<string, unknown> = {}): ConfigSource {
  return {
    get: <T>(key: string) => (key in workspace ? workspace[key] : values[key]) as T | undefined,
    inspect: <T>(key: string) => ({ globalValue: values[key] as T | undefined, workspaceValue: workspace[key] as T | undefined }),
  };
}

test('defaults: OLLAMA_HOST, else the local default; documented defaults for the rest', () => {
  const s = readSettings(source({}), {}, true);
  assert.equal(s.host, 'http://127.0.0.1:11434');
  assert.equal(s.method, 'auto');
  assert.equal(s.samples, 200);
  assert.equal(s.terminated, false);
  assert.equal(s.topK, 0);
  assert.equal(s.concurrency, 1);
  assert.equal(s.requestTimeoutMs, 300_000);
  assert.equal(s.keepAlive, '5m');
  assert.equal(s.historyLocation, 'workspace');
  assert.equal(readSettings(source({}), { OLLAMA_HOST: '0.0.0.0:9999' }, true).host, 'http://127.0.0.1:9999');
  assert.equal(readSettings(source({ host: 'http://gpu:11434' }), { OLLAMA_HOST: 'x:1' }, true).host, 'http://gpu:11434');
});

test('invalid values fall back to defaults; keepAlive numbers become numbers', () => {
  const s = readSettings(source({ method: 'magic', samples: -3, concurrency: 2.5, requestTimeout: 'soon', topK: 99, keepAlive: '-1', historyLocation: 'global' }), {}, true);
  assert.equal(s.method, 'auto');
  assert.equal(s.samples, 200);
  assert.equal(s.concurrency, 1);
  assert.equal(s.requestTimeoutMs, 300_000);
  assert.equal(s.topK, 0);
  assert.equal(s.keepAlive, -1);
  assert.equal(s.historyLocation, 'global');
});

test('untrusted workspaces ignore a workspace-defined host', () => {
  const config = source({ host: 'http://127.0.0.1:2222' }, { host: 'http://evil.example:11434' });
  assert.equal(readSettings(config, {}, true).host, 'http://evil.example:11434');
  assert.equal(readSettings(config, {}, true).hostFromWorkspace, true);
  const untrusted = readSettings(config, {}, false);
  assert.equal(untrusted.host, 'http://127.0.0.1:2222');
  assert.equal(untrusted.hostFromWorkspace, false);
});

test('extra experiment hosts: normalised, and only the user\'s own in an untrusted workspace', () => {
  const config = source({ hosts: ['gpu-a:11434', '', 42] }, { hosts: ['http://evil.example:1'] });
  assert.deepEqual(readSettings(config, {}, true).hosts, ['http://evil.example:1']);
  assert.deepEqual(readSettings(config, {}, false).hosts, ['http://gpu-a:11434']);
  assert.deepEqual(readSettings(source({}), {}, true).hosts, []);
});

test('the host says where it came from: workspace, user settings, OLLAMA_HOST or the default', () => {
  assert.equal(readSettings(source({}), {}, true).hostSource, 'default');
  assert.equal(readSettings(source({}), { OLLAMA_HOST: 'gpu:1' }, true).hostSource, 'OLLAMA_HOST');
  assert.equal(readSettings(source({ host: 'http://a:1' }), { OLLAMA_HOST: 'gpu:1' }, true).hostSource, 'user settings');
  const both = source({ host: 'http://a:1' }, { host: 'http://b:1' });
  assert.equal(readSettings(both, {}, true).hostSource, 'workspace settings');
  assert.equal(readSettings(both, {}, false).hostSource, 'user settings', 'untrusted: the workspace value is ignored');
});

test('the host setting is window-scoped, so user settings apply in Remote and code-server windows', () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { scope?: string }> } } };
  assert.equal(pkg.contributes.configuration.properties['superposition.host']?.scope, 'window');
});
