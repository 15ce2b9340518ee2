// `npm test`: typecheck, build, then every suite — unit (test double), live (the REAL Ollama with
// the real model) and E2E (real VS Code) — with OLLAMA_HOST pointing at a real `ollama serve` that
// this script starts from the project's cache (scripts/ollama-tools.sh) on a free port and stops by
// its PID however the run ends.
//
//   SUPERPOSITION_REQUIRE_LIVE=1   (set by .ci/run) no real Ollama → fail, never skip
//   SUPERPOSITION_LIVE_HOST=URL    use this running Ollama instead of starting one (with
//                                  SUPERPOSITION_LIVE_MODEL=name)
//   npm test -- --unit | --live | --e2e   run only those suites (any combination)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { INSTALL_HINT, loadRealOllamaTools, startRealOllama, type RunningOllama } from '../test/live/realOllama';

const root = join(__dirname, '..');
const requireLive = process.env['SUPERPOSITION_REQUIRE_LIVE'] === '1';
const args = new Set(process.argv.slice(2));
const only = ['--unit', '--live', '--e2e'].filter((a) => args.has(a));
const want = (suite: string): boolean => only.length === 0 || only.includes(suite);

function files(dir: string): string[] {
  return readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => join(dir, f));
}

let current: ChildProcess | undefined;
let server: RunningOllama | undefined;

async function shutdown(code: number): Promise<never> {
  if (current?.pid) {
    try {
      process.kill(-current.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
  await server?.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(130));
process.on('SIGTERM', () => void shutdown(143));

function step(title: string, cmd: string, argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  console.log(`\n== ${title}`);
  return new Promise((resolve) => {
    current = spawn(cmd, argv, { cwd: root, env, stdio: 'inherit', detached: true });
    current.on('exit', (code, signal) => {
      current = undefined;
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

function npmRun(script: string): number {
  console.log(`\n== npm run ${script}`);
  return spawnSync('npm', ['run', '--silent', script], { cwd: root, stdio: 'inherit' }).status ?? 1;
}

async function liveServer(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const given = process.env['SUPERPOSITION_LIVE_HOST'];
  if (given) {
    env['OLLAMA_HOST'] = given;
    console.log(`\n== live: using the running Ollama at ${given} (model ${env['SUPERPOSITION_LIVE_MODEL'] ?? 'the smallest installed'})`);
    return undefined;
  }
  let tools;
  try {
    tools = loadRealOllamaTools();
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  console.log(`\n== live: starting the real Ollama ${tools.version} (${tools.ollama}) with ${tools.model}`);
  const t0 = Date.now();
  try {
    server = await startRealOllama(tools, { preload: tools.model, parallel: 1 });
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  console.log(`   ollama serve pid ${server.pid} at ${server.url}: version ${server.version}, model loaded in ${Date.now() - t0} ms (log ${server.logFile})`);
  env['OLLAMA_HOST'] = server.url;
  env['SUPERPOSITION_LIVE_MODEL'] = tools.model;
  env['SUPERPOSITION_LIVE_MODEL_STOPS'] = tools.modelWithStops;
  return undefined;
}

async function main(): Promise<void> {
  const failures: string[] = [];
  if (npmRun('typecheck') !== 0) failures.push('typecheck');
  if (npmRun('build') !== 0) failures.push('build');
  if (failures.length > 0) return void (await shutdown(finish(failures)));

  const env: NodeJS.ProcessEnv = { ...process.env };
  if (want('--live') || want('--e2e')) {
    const unavailable = await liveServer(env);
    if (unavailable) {
      if (requireLive) {
        console.error(`\nFAIL: no real Ollama for the live suite: ${unavailable}`);
        failures.push('live server');
      } else {
        console.log(`\n!! The live suite (real Ollama + Gemma 3 270M) will be skipped: ${unavailable}`);
        console.log(`!! To run it: ${INSTALL_HINT}, then npm test again.`);
        env['SUPERPOSITION_LIVE_UNAVAILABLE'] = unavailable;
      }
    }
  }
  if (requireLive) env['SUPERPOSITION_REQUIRE_LIVE'] = '1';

  const node = ['--import', 'tsx', '--test', '--test-concurrency=1'];
  const suites = [...(want('--unit') ? files('test/unit') : []), ...(want('--live') ? files('test/live') : [])];
  if (suites.length > 0 && (await step(`unit + live tests (OLLAMA_HOST=${env['OLLAMA_HOST'] ?? 'unset'})`, process.execPath, [...node, ...suites], env)) !== 0) {
    failures.push('unit/live tests');
  }
  if (want('--e2e')) {
    if (npmRun('package') !== 0) failures.push('package');
    else if ((await step('e2e tests (real VS Code)', process.execPath, [...node, ...files('test/e2e')], { ...env, SUPERPOSITION_E2E_VSIX: 'dist/superposition-lab.vsix' })) !== 0) {
      failures.push('e2e tests');
    }
  }
  if (server && failures.some((f) => f !== 'typecheck')) {
    const tail = readFileSync(server.logFile, 'utf8').split('\n').slice(-15).join('\n');
    console.log(`\n-- last lines of the real Ollama's log (${server.logFile}):\n${tail}`);
  }
  await shutdown(finish(failures));
}

function finish(failures: string[]): number {
  console.log(failures.length === 0 ? '\nnpm test: all suites passed' : `\nnpm test: FAILED: ${failures.join(', ')}`);
  return failures.length === 0 ? 0 : 1;
}

void main().catch(async (err: unknown) => {
  console.error(err);
  await shutdown(1);
});
