// The live suite (test/live, the real Ollama + real model) never skips silently where it must run:
// with SUPERPOSITION_REQUIRE_LIVE=1 (CI) and no server every test FAILS with the reason; without it
// every test is skipped and says why (a developer's machine without the tools).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(__dirname, '..', '..');

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 9;
      s.close(() => resolve(port));
    });
  });
}

async function runLiveSuite(extra: NodeJS.ProcessEnv): Promise<{ code: number; text: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, OLLAMA_HOST: `http://127.0.0.1:${await closedPort()}`, ...extra };
  for (const key of ['NODE_TEST_CONTEXT', 'SUPERPOSITION_LIVE_MODEL', 'SUPERPOSITION_LIVE_MODEL_STOPS', 'SUPERPOSITION_LIVE_UNAVAILABLE', 'SUPERPOSITION_REQUIRE_LIVE']) {
    if (!(key in extra)) delete env[key];
  }
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', join(root, 'test', 'live', 'live.test.ts')], { cwd: root, env });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (text += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, text }));
  });
}

const count = (text: string, what: string): number => Number(new RegExp(`^# ${what} (\\d+)$`, 'm').exec(text)?.[1] ?? -1);

test('CI (SUPERPOSITION_REQUIRE_LIVE=1) without a server: every live test fails and names the cause', async () => {
  const { code, text } = await runLiveSuite({ SUPERPOSITION_REQUIRE_LIVE: '1' });
  assert.notEqual(code, 0, text);
  const tests = count(text, 'tests');
  assert.ok(tests >= 10, `only ${tests} live tests`);
  assert.equal(count(text, 'fail'), tests, text.slice(-3000));
  assert.equal(count(text, 'skipped'), 0);
  assert.match(text, /the live suite must run in CI but cannot: no Ollama at http:\/\/127\.0\.0\.1:\d+/);
});

test('a developer machine without the tools: every live test is skipped with the reason and the install command', async () => {
  const reason = 'the real Ollama is not installed (…/env.json missing): run `bash scripts/ollama-tools.sh`';
  const { code, text } = await runLiveSuite({ SUPERPOSITION_LIVE_UNAVAILABLE: reason });
  assert.equal(code, 0, text);
  const tests = count(text, 'tests');
  assert.equal(count(text, 'skipped'), tests);
  assert.ok(text.includes('scripts/ollama-tools.sh'), text.slice(-2000));
});
