/**
 * Ollama TEST DOUBLE — command line.
 *
 *   npm run ollama-double -- [--port 11434] [--host 127.0.0.1] [--latency ms] [--token-latency ms] [--uncached-token-ms ms]
 *                            [--parallel n] [--max-queue n] [--version x.y.z] [--profile go|llama-server]
 *                            [--examples dir] [--answers file] [--root dir] [--quiet]
 *
 * Serves scripted demo models (double-superposed:latest, double-collapsed:latest)
 * built from examples/*.txt and test/double/fixtures/demo-answers.json. Not a real model.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { buildDemoModels } from './demo';
import { startOllamaDouble } from './server';
import type { ProfileName } from './types';

function findRepoRoot(start: string): string {
  let dir = resolve(start);
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'test', 'double'))) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(start);
    dir = up;
  }
}

function parseArgs(argv: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1));
    else {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        out.set(a.slice(2), next);
        i++;
      } else out.set(a.slice(2), 'true');
    }
  }
  return out;
}

function num(args: Map<string, string>, key: string, dflt: number): number {
  const v = args.get(key);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    console.error(`[ollama-double] --${key} needs a non-negative number, got ${JSON.stringify(v)}`);
    process.exit(2);
  }
  return n;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.has('help') || args.has('h')) {
    console.log(
      'ollama-double: Ollama TEST DOUBLE (scripted, not a real model)\n' +
        'usage: npm run ollama-double -- [--port 11434] [--host 127.0.0.1] [--latency ms] [--token-latency ms] [--uncached-token-ms ms]\n' +
        '         [--parallel n] [--max-queue n] [--version x.y.z] [--profile go|llama-server]\n' +
        '         [--examples dir] [--answers file] [--root dir] [--quiet]\n' +
        'The version chooses the profile (< 0.30 Go runners, >= 0.30 llama-server) unless --profile is given.',
    );
    return;
  }
  const quiet = args.has('quiet');
  const log = (line: string): void => {
    if (!quiet) console.log(line);
  };
  const profileArg = args.get('profile');
  if (profileArg !== undefined && profileArg !== 'go' && profileArg !== 'llama-server') {
    console.error(`[ollama-double] --profile is go or llama-server, got ${JSON.stringify(profileArg)}`);
    process.exit(2);
  }
  const profile: ProfileName | undefined = profileArg;
  const root = findRepoRoot(args.get('root') ?? process.cwd());
  const demo = buildDemoModels({
    repoRoot: root,
    ...(args.get('examples') ? { examplesDir: resolve(args.get('examples') ?? '') } : {}),
    ...(args.get('answers') ? { answersPath: resolve(args.get('answers') ?? '') } : {}),
    log: (l) => console.log(l),
  });
  const double = await startOllamaDouble({
    models: demo.models,
    port: num(args, 'port', 11434),
    host: args.get('host') ?? '127.0.0.1',
    latencyMs: num(args, 'latency', 0),
    tokenLatencyMs: num(args, 'token-latency', 0),
    uncachedTokenMs: num(args, 'uncached-token-ms', 0),
    parallel: num(args, 'parallel', 1),
    maxQueue: num(args, 'max-queue', 512),
    ...(args.get('version') ? { version: args.get('version') } : {}),
    ...(profile ? { profile } : {}),
    log,
  });
  if (quiet) console.log(`Ollama TEST DOUBLE (scripted, not a real model) listening on ${double.url}`);
  console.log(`[ollama-double] models: ${double.modelNames().join(', ')}; ${demo.prompts.length} scripted prompt(s)`);
  const shutdown = (): void => {
    console.log('[ollama-double] shutting down');
    void double.close().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((e: unknown) => {
  console.error(`[ollama-double] failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
