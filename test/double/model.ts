/**
 * Ollama TEST DOUBLE — compiled scripted models: naming, validation, normalised
 * distributions and the script lookup used by the server.
 *
 * Lookup rule: among the script entries, the one whose `prompt` is the longest
 * prefix of the text (first one wins among equal lengths); ctx = the rest;
 * dist = nodes[ctx] ?? fallback. No entry matches → fallback.
 */
import { createHash } from 'node:crypto';
import type { ScriptedModel, TokenDist } from './types';

export interface NormDist {
  tokens: string[];
  probs: number[];
  /** Indices sorted by probability, descending (stable: script order among ties). */
  order: number[];
}

export interface CompiledModel {
  spec: ScriptedModel;
  name: string;
  digest: string;
  eos: string;
  capabilities: string[];
  family: string;
  parameterSize: string;
  size: number;
  modifiedAt: Date;
  lookup(text: string): NormDist;
}

export function hasTag(name: string): boolean {
  const last = name.slice(name.lastIndexOf('/') + 1);
  return last.includes(':');
}

/** The name the double serves a model under: contains "double", has a tag. */
export function servedName(name: string): string {
  let n = name.trim();
  if (!/double/i.test(n)) {
    const slash = n.lastIndexOf('/');
    n = `${n.slice(0, slash + 1)}double-${n.slice(slash + 1)}`;
  }
  if (!hasTag(n)) n += ':latest';
  return n;
}

/** Key used to resolve a requested name: lower case, ":latest" added when no tag. */
export function nameKey(name: string): string {
  let n = name.trim().toLowerCase();
  if (n === '') return n;
  if (!hasTag(n)) n += ':latest';
  return n;
}

export function defaultFallback(eos: string): TokenDist {
  return [
    { token: '\n', prob: 0.9 },
    { token: eos, prob: 0.1 },
  ];
}

export function normalizeDist(dist: TokenDist, eos: string, where: string): NormDist {
  const merged = new Map<string, number>();
  for (const e of dist) {
    if (typeof e.token !== 'string') throw new Error(`ollama-double: ${where}: token must be a string`);
    if (typeof e.prob !== 'number' || !Number.isFinite(e.prob) || e.prob < 0) {
      throw new Error(`ollama-double: ${where}: bad probability ${String(e.prob)} for ${JSON.stringify(e.token)}`);
    }
    if (e.token === '' && eos !== '') {
      throw new Error(`ollama-double: ${where}: empty token but the model's eosToken is ${JSON.stringify(eos)}`);
    }
    if (e.prob === 0) continue;
    merged.set(e.token, (merged.get(e.token) ?? 0) + e.prob);
  }
  let total = 0;
  for (const p of merged.values()) total += p;
  if (!(total > 0)) throw new Error(`ollama-double: ${where}: distribution has no mass`);
  const tokens = [...merged.keys()];
  const probs = tokens.map((t) => (merged.get(t) ?? 0) / total);
  const order = tokens.map((_, i) => i).sort((a, b) => (probs[b] ?? 0) - (probs[a] ?? 0));
  return { tokens, probs, order };
}

function own<T>(rec: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(rec, key) ? rec[key] : undefined;
}

export function compileModel(spec: ScriptedModel): CompiledModel {
  if (!spec || typeof spec.name !== 'string' || spec.name.trim() === '') {
    throw new Error('ollama-double: a scripted model needs a name');
  }
  const name = servedName(spec.name);
  const eos = spec.eosToken ?? '';
  const fallback = normalizeDist(spec.fallback ?? defaultFallback(eos), eos, `${name} fallback`);
  const entries = spec.script.map((e, i) => {
    const nodes = new Map<string, NormDist>();
    for (const ctx of Object.keys(e.nodes)) {
      const d = own(e.nodes, ctx);
      if (d) nodes.set(ctx, normalizeDist(d, eos, `${name} script[${i}] node ${JSON.stringify(ctx)}`));
    }
    return { prompt: e.prompt, nodes };
  });
  // Longest prompt first; Array.prototype.sort is stable, so the first entry wins among equal lengths.
  const byLength = [...entries].sort((a, b) => b.prompt.length - a.prompt.length);
  const digest = spec.digest ?? createHash('sha256').update(`ollama-double:${name}`).digest('hex');
  const size = 100_000_000 + (parseInt(digest.slice(0, 8), 16) % 4_000_000_000);
  return {
    spec,
    name,
    digest,
    eos,
    capabilities: spec.capabilities ?? ['completion'],
    family: spec.family ?? 'double',
    parameterSize: spec.parameterSize ?? '0.0B',
    size,
    modifiedAt: new Date(),
    lookup(text: string): NormDist {
      for (const e of byLength) {
        if (text.startsWith(e.prompt)) return e.nodes.get(text.slice(e.prompt.length)) ?? fallback;
      }
      return fallback;
    },
  };
}
