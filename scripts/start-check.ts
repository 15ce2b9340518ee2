// CI check of the README's first command: `npm start -- --double` must serve VS Code, from whatever
// tools cache there is (in CI: an empty one, so code-server is installed by npm start itself, the
// path a newcomer takes). Starts it on a free port, waits for the URL it prints, fetches the
// workbench page, stops it (process group), and fails with its output when any step does not happen.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..');
const timeoutMs = Number(process.env['START_CHECK_TIMEOUT_MS'] ?? 20 * 60_000);
const t0 = Date.now();
const child = spawn('npm', ['start', '--', '--double', '--browser', '--port', '0'], { cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
let pending = '';
const stop = (): void => {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
  } catch {
    /* gone */
  }
};
const fail = (why: string): never => {
  stop();
  console.error(`start-check: FAIL: ${why}\n--- npm start output (last 4000 chars) ---\n${output.slice(-4000)}`);
  process.exit(1);
};
process.on('SIGINT', () => fail('interrupted'));

const url = new Promise<string>((resolve) => {
  const onData = (chunk: Buffer): void => {
    const text = chunk.toString();
    output += text;
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) process.stdout.write(`[npm start] ${line}\n`);
    const m = /^\s+(http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+)$/m.exec(output);
    if (m?.[1]) resolve(m[1]);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
});
child.on('exit', (code, signal) => fail(`npm start exited (${code ?? signal}) before serving VS Code`));
const timer = setTimeout(() => fail(`no URL within ${timeoutMs / 1000} s`), timeoutMs);

void (async () => {
  const address = await url;
  const res = await fetch(address, { signal: AbortSignal.timeout(30_000) }).catch((err: unknown) => fail(`fetching ${address}: ${String(err)}`));
  const body = await res.text();
  if (res.status !== 200) fail(`${address} answered ${res.status}`);
  if (!/workbench/i.test(body)) fail(`${address} is not the VS Code workbench page (${body.slice(0, 200)})`);
  if (!/SIMULATED MODEL/.test(output)) fail('npm start -- --double did not announce the simulated model');
  clearTimeout(timer);
  child.removeAllListeners('exit');
  stop();
  console.log(`start-check: ok — npm start -- --double served VS Code at ${address} (${Math.round((Date.now() - t0) / 1000)} s, page ${body.length} bytes)`);
  setTimeout(() => process.exit(0), 500);
})();
