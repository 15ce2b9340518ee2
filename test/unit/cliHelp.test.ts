// Every CLI subcommand answers --help with its own usage (exit 0); a mistyped option gets a
// "did you mean" and the subcommand's usage (exit 2).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../../src/cli/main';
import { commandUsage, didYouMean } from '../../src/cli/help';

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => (out += `${t}\n`), stderr: (t) => (err += `${t}\n`), readStdin: async () => '', env: {}, cwd: process.cwd() });
  return { code, out, err };
}

for (const command of ['analyze', 'models', 'generate', 'tasks', 'scale', 'calibrate']) {
  test(`superposition ${command} --help prints its usage and exits 0`, async () => {
    for (const flag of ['--help', '-h']) {
      const { code, out, err } = await cli([command, flag]);
      assert.equal(code, 0, err);
      assert.match(out, new RegExp(`^Usage:\\n  superposition ${command}\\b`));
      assert.ok(!/superposition (analyze|models|generate|tasks|scale|calibrate)\b/.test(out.replace(`superposition ${command}`, '')), `only ${command}'s usage:\n${out}`);
    }
  });
}

test('generate --help documents --set', async () => {
  assert.match((await cli(['generate', '--help'])).out, /--set NAME/);
});

test('an unknown option says "did you mean" and shows the subcommand usage (exit 2)', async () => {
  const { code, err } = await cli(['analyze', 'x.txt', '--modle', 'm']);
  assert.equal(code, 2);
  assert.match(err, /Unknown option '--modle' \(did you mean --model\?\)/);
  assert.match(err, /Usage:\n  superposition analyze/);
  assert.doesNotMatch(err, /To specify a positional argument/);
  assert.equal(didYouMean('--model --host', '--zzzzzz'), '');
  assert.equal(commandUsage('  superposition a [--x]\n  superposition b', 'c'), undefined);
});
