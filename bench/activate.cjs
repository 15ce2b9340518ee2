// Activation time of the production bundle, outside VS Code (run by bench/run.ts, one fresh plain
// node process per sample):
//   node bench/activate.cjs <dist/extension.js> <extension folder> [--builtins-loaded]
// `vscode` resolves to bench/fakeVscode.cjs (Module._load hook). Measured: require() of the bundle
// (reading, compiling and running its top level), activate(context), and the deferred engine load
// (the first command: the workbench's module and createWorkbench). This is OUR code's part of
// activation only: VS Code's own extension-host work (scanning, the activation event, the real
// API objects) is not included. With --builtins-loaded, the Node built-in modules the bundle
// requires (node:http, node:crypto, …) are loaded before the clock starts, as they already are in
// VS Code's extension host. Prints one JSON line.
'use strict';
const Module = require('node:module');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { createFakeVscode, createFakeContext } = require('./fakeVscode.cjs');

const [bundle, extensionPath, flag] = process.argv.slice(2);
if (flag === '--builtins-loaded') {
  const text = require('node:fs').readFileSync(bundle, 'utf8');
  for (const m of new Set([...text.matchAll(/require\("(node:[a-z_/]+)"\)/g)].map((x) => x[1]))) require(m);
}
const vscode = createFakeVscode();
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === 'vscode') return vscode;
  return load.call(this, request, parent, isMain);
};

const storage = mkdtempSync(join(tmpdir(), 'superposition-activate-'));
const context = createFakeContext(extensionPath, storage);

const t0 = performance.now();
const extension = require(bundle);
const t1 = performance.now();
extension.activate(context);
const t2 = performance.now();

// The engine is deferred to the first command (or 1.5 s after start-up): run one, so that the
// deferred load (the workbench module: parsers, tasks, zod schemas, the Ollama client) is timed too.
async function deferred() {
  const t3 = performance.now();
  await vscode.commands.executeCommand('superposition.refreshHistory');
  return performance.now() - t3;
}

deferred().then(
  (deferredMs) => finish({ requireMs: t1 - t0, activateMs: t2 - t1, totalMs: t2 - t0, deferredMs }),
  (err) => {
    process.stderr.write(`deferred engine load failed: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  },
);

function finish(times) {
  const subscriptions = context.subscriptions.length;
  for (const d of context.subscriptions) {
    try {
      d.dispose();
    } catch {
      /* fake */
    }
  }
  rmSync(storage, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ ...times, subscriptions })}\n`);
  process.exit(0);
}
