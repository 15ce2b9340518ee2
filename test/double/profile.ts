/**
 * Ollama TEST DOUBLE — the two server generations it emulates, chosen by the version it reports
 * (see README "Profiles"): Go runners below 0.30, llama-server from 0.30 on.
 */
import type { ProfileName } from './types';

/** The first version served by llama-server (the Go runners before it). */
export const LLAMA_SERVER_SINCE = '0.30.0';

function parts(v: string): number[] {
  return v.replace(/^v/, '').split(/[-+]/)[0]!.split('.').map((x) => Number.parseInt(x, 10) || 0);
}

export function compareVersion(a: string, b: string): number {
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** "go" below 0.30 (0.0.0 of a source build included), "llama-server" from 0.30 on. */
export function profileForVersion(version: string): ProfileName {
  return compareVersion(version, LLAMA_SERVER_SINCE) >= 0 ? 'llama-server' : 'go';
}
