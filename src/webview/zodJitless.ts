/**
 * Imported first by main.ts, before any schema is built: zod probes `new Function` when it constructs
 * an object schema (to compile fast parsers), which the webview CSP forbids and reports as a
 * violation. Jitless mode skips the probe; parsing stays interpreted.
 */
import { config } from 'zod/mini';

config({ jitless: true });
