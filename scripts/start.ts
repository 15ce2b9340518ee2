// `npm start` (until the VS Code extension lands): analyse every example prompt with the CLI
// engine, on the Ollama at OLLAMA_HOST / 127.0.0.1:11434 when one answers, otherwise (or with
// --double) on the Ollama TEST DOUBLE — a scripted stand-in, clearly not a real model.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../src/cli/main';
import { OllamaClient } from '../src/core/ollama/client';
import { hostFromEnvironment } from '../src/core/ollama/host';
import { buildDemoModels, startOllamaDouble, type OllamaDouble } from '../test/double/index';

async function main(): Promise<void> {
  const root = join(__dirname, '..');
  const wantDouble = process.argv.includes('--double');
  let host = hostFromEnvironment(undefined, process.env);
  let model = process.env['SUPERPOSITION_MODEL'];
  let double: OllamaDouble | undefined;
  if (!wantDouble) {
    try {
      const client = new OllamaClient({ host, requestTimeoutMs: 2000, retries: 0 });
      await client.version();
      const models = await client.listModels();
      model ??= [...models].sort((a, b) => a.size - b.size)[0]?.name;
      if (!model) console.log(`Ollama at ${host} has no models: pull one (e.g. \`ollama pull qwen2.5:0.5b\`) or set SUPERPOSITION_MODEL.`);
    } catch {
      console.log(`No Ollama answers at ${host}; using the Ollama TEST DOUBLE instead (scripted, NOT a real model).`);
      model = undefined;
    }
  }
  if (wantDouble || !model) {
    double = await startOllamaDouble({ models: buildDemoModels({ repoRoot: root }).models });
    host = double.url;
    model = 'double-superposed:latest';
    console.log(`Results below come from a SIMULATED model (${model}) served by the test double at ${host}.\n`);
  }
  const files = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.txt')).sort();
  for (const file of files) {
    console.log(`━━ examples/${file} ━━`);
    await runCli(['analyze', join('examples', file), '--model', model, '--host', host], {
      stdout: (t) => console.log(t),
      stderr: (t) => console.error(t),
      readStdin: async () => readFileSync(0, 'utf8'),
      env: process.env,
      cwd: root,
    });
    console.log('');
  }
  await double?.close();
}

void main();
