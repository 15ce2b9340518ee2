// Bundles the CLI (and, later, the extension and webview) with esbuild.
import { build } from 'esbuild';

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
];

for (const options of targets) {
  const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', ...options };
  if (watch) {
    const { context } = await import('esbuild');
    const ctx = await context(common);
    await ctx.watch();
  } else {
    await build(common);
  }
}
