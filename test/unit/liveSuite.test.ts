// Proves the live suite (test/live) is a working suite, not dead code: run it against the
// Ollama TEST DOUBLE's demo models as if the double were a real Ollama at OLLAMA_HOST.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildDemoModels, startOllamaDouble } from '../double/index';

test('the live suite passes against a server that answers (here: the demo double)', async () => {
  const root = join(__dirname, '..', '..');
  const demo = buildDemoModels({ repoRoot: root });
  const double = await startOllamaDouble({ models: demo.models });
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, OLLAMA_HOST: double.url, OLLAMA_TEST_MODEL: 'double-superposed:latest' };
    // Without NODE_TEST_CONTEXT the child is a test run of its own, not a subtest of this one.
    delete env['NODE_TEST_CONTEXT'];
    const output = await new Promise<{ code: number; text: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--test', join(root, 'test', 'live', 'live.test.ts')], {
        cwd: root,
        env,
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      child.on('close', (code) => resolve({ code: code ?? -1, text }));
    });
    assert.equal(output.code, 0, output.text);
    assert.match(output.text, /^# pass 3$/m);
    assert.match(output.text, /^# skipped 0$/m);
    assert.ok(double.counters.generate > 100, 'the live suite really measured');
  } finally {
    await double.close();
  }
});
