// Bundles the extension (node, cjs, `vscode` external), the webview (browser) and the CLI.
import { context, build } from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions[]} */
const targets = [
  {
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
  },
  {
    entryPoints: ['src/webview/styles.css'],
    outfile: 'dist/webview.css',
    loader: { '.css': 'css' },
  },
].filter((t) => t.entryPoints.every((e) => existsSync(e)));

for (const options of targets) {
  const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none', ...options };
  if (watch) {
    const ctx = await context(common);
    await ctx.watch();
  } else {
    await build(common);
  }
}
