/**
 * Time from results to a drawn chart in the webview: the production dist/webview.js + .css in
 * Debian's Chromium (headless, via playwright-core), in the page the extension builds
 * (buildWebviewHtml, same CSP), with a stub acquireVsCodeApi. After the webview's `ready`, the
 * page receives the message the extension posts (`showRun`, a real RunRecord); measured from that
 * postMessage to the second animation frame after body[data-state] reached the run's state, i.e.
 * after the first frame showing the chart has been painted.
 *   - reduced motion (`prefers-reduced-motion: reduce`, or VS Code's reduce-motion setting): no
 *     entry animation, that frame is the finished chart — the figure compared with the target;
 *   - default motion: the same first frame, then Chart.js's 250 ms entry animation; its end is
 *     found by comparing canvas pixels frame by frame (reported for information).
 * Every sample is a fresh page load (cold webview, as when the panel opens).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { buildWebviewHtml } from '../src/extension/webviewHtml';
import type { RunRecord } from '../src/core/record';

const ORIGIN = 'http://webview.bench';

export interface ChartResult {
  browser: string;
  executable: string;
  reduced: { stateMs: number[]; drawnMs: number[] };
  animated: { drawnMs: number[]; settledMs: number[] };
  chartOk: boolean;
}

/** Debian's Chromium as the E2E harness finds it: $SUPERPOSITION_E2E_CHROMIUM, the e2e tools' env.json, /usr/bin/chromium. */
export function findChromium(): string | undefined {
  const candidates: string[] = [];
  if (process.env['SUPERPOSITION_E2E_CHROMIUM']) candidates.push(process.env['SUPERPOSITION_E2E_CHROMIUM']);
  try {
    const cache = process.env['SUPERPOSITION_E2E_CACHE'] || join(process.env['HOME'] || '', '.cache', 'superposition-lab-e2e');
    const env = JSON.parse(readFileSync(join(cache, 'env.json'), 'utf8')) as { chromium?: string };
    if (env.chromium) candidates.push(env.chromium);
  } catch {
    /* no e2e tools */
  }
  candidates.push('/usr/bin/chromium', '/usr/bin/chromium-browser');
  return candidates.find((c) => existsSync(c));
}

// Page scripts are strings: functions compiled by tsx would carry its helpers (__name) into the page.

/** acquireVsCodeApi as VS Code provides it, recording what the webview posts. */
const STUB_VSCODE_API = `
  window.__posted = [];
  (() => {
    let state;
    window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(m), getState: () => state, setState: (s) => { state = s; } });
  })();
`;

/** Posts the message and resolves with the timings (see the file comment). */
const MEASURE = `({ message, expectedState, settle }) => new Promise((resolve) => {
  const frame = () => new Promise((r) => requestAnimationFrame(() => r(performance.now())));
  const t0 = performance.now();
  const observer = new MutationObserver(() => {
    if (document.body.dataset.state !== expectedState) return;
    observer.disconnect();
    const stateMs = performance.now() - t0;
    (async () => {
      await frame();
      const drawnMs = (await frame()) - t0; // the frame with the chart has been painted
      const canvas = window.superpositionLab && window.superpositionLab.charts.distribution && window.superpositionLab.charts.distribution.canvas;
      let settledMs;
      if (settle && canvas) {
        // The end of the entry animation: the first frame whose pixels equal the next frame's.
        const ctx = canvas.getContext('2d');
        const hash = () => {
          const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
          let h = 0;
          for (let k = 0; k < data.length; k += 7) h = (h * 31 + data[k]) | 0;
          return h;
        };
        let previous = hash();
        let previousAt = performance.now() - t0;
        for (let n = 0; n < 120; n++) {
          const at = (await frame()) - t0;
          const h = hash();
          if (h === previous) break;
          previous = h;
          previousAt = at;
        }
        settledMs = previousAt;
      }
      resolve({ stateMs, drawnMs, settledMs, state: document.body.dataset.state || '', chart: !!canvas && canvas.width > 0 && canvas.height > 0 });
    })();
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['data-state'] });
  window.postMessage(message, '*');
})`;

interface Sample {
  stateMs: number;
  drawnMs: number;
  settledMs?: number;
  state: string;
  chart: boolean;
}

export async function benchChart(dist: string, record: RunRecord, samples: number, executable: string): Promise<ChartResult> {
  const nonce = 'YmVuY2hub25jZWJlbmNobm9uY2U';
  const html = buildWebviewHtml({ cspSource: ORIGIN, nonce, scriptUri: `${ORIGIN}/webview.js`, styleUri: `${ORIGIN}/webview.css`, title: 'Superposition' });
  const files: Record<string, { body: Buffer; type: string }> = {
    '/index.html': { body: Buffer.from(html), type: 'text/html' },
    '/webview.js': { body: readFileSync(join(dist, 'webview.js')), type: 'text/javascript' },
    '/webview.css': { body: readFileSync(join(dist, 'webview.css')), type: 'text/css' },
  };
  const message = { type: 'showRun', record, running: false, simulated: true };
  const expectedState = record.status;

  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath: executable, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    const version = browser.version();
    const result: ChartResult = { browser: version, executable, reduced: { stateMs: [], drawnMs: [] }, animated: { drawnMs: [], settledMs: [] }, chartOk: true };
    for (const reducedMotion of ['reduce', 'no-preference'] as const) {
      // One extra first sample warms the browser's caches; it is dropped.
      for (let i = 0; i <= samples; i++) {
        const context = await browser.newContext({ reducedMotion, viewport: { width: 1000, height: 900 } });
        await context.route(`${ORIGIN}/**`, async (route) => {
          const file = files[new URL(route.request().url()).pathname];
          await (file ? route.fulfill({ status: 200, body: file.body, contentType: file.type }) : route.fulfill({ status: 404, body: '' }));
        });
        await context.addInitScript({ content: STUB_VSCODE_API });
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(`${ORIGIN}/index.html`);
        await page.waitForFunction('window.__posted.some((m) => m && m.type === "ready")', undefined, { timeout: 20_000 }).catch((err: unknown) => {
          throw new Error(`the webview did not post 'ready' (${errors.join('; ') || String(err)})`);
        });
        const args = { message, expectedState, settle: reducedMotion === 'no-preference' };
        const sample = (await page.evaluate(`(${MEASURE})(${JSON.stringify(args)})`)) as Sample;
        await context.close();
        if (!sample.chart) result.chartOk = false;
        if (i === 0) continue;
        if (reducedMotion === 'reduce') {
          result.reduced.stateMs.push(sample.stateMs);
          result.reduced.drawnMs.push(sample.drawnMs);
        } else {
          result.animated.drawnMs.push(sample.drawnMs);
          if (sample.settledMs !== undefined) result.animated.settledMs.push(sample.settledMs);
        }
      }
    }
    return result;
  } finally {
    await browser?.close();
  }
}
