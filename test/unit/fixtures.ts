// Shared test fixtures (not a test file: the runner only picks up *.test.ts).
import assert from 'node:assert/strict';
import { RUN_SCHEMA_VERSION, RunRecordSchema, type RunRecord } from '../../src/core/record';

/** A valid run record with two tasks; override any field. */
export function sampleRecord(id: string, createdAt = '2026-11-26T10:00:00.000Z', overrides: Partial<RunRecord> = {}): RunRecord {
  const record: RunRecord = {
    schemaVersion: RUN_SCHEMA_VERSION,
    kind: 'analysis',
    id,
    createdAt,
    status: 'complete',
    model: 'double-superposed:latest',
    modelDigest: 'a'.repeat(64),
    simulated: true,
    server: { host: 'http://127.0.0.1:11434', version: '0.13.0', logprobs: true },
    method: 'logprobs',
    options: { requestedMethod: 'auto', terminated: false, samples: 200, topK: 2, seed: 1000, concurrency: 1, minNodeMass: 0, requestTimeoutMs: 300000, beamWidth: 8, maxDepth: 16, minCompletionProbability: 1e-4 },
    input: { prompt: '1+2->3\n2+2->four\n3+4->', separator: '->', query: '3+4', examples: [{ input: '1+2', output: '3', line: 1, tasks: ['sum.digits'] }, { input: '2+2', output: 'four', line: 2, tasks: ['sum.en'] }] },
    tasks: [
      { id: 'sum.digits', label: 'A+B', answer: '7', share: 0.5, examples: 1, probability: 0.6, lower: 0.6, upper: 0.6, exact: true },
      { id: 'sum.en', label: 'A+B in English', answer: 'seven', share: 0.5, examples: 1, probability: 0.3, lower: 0.29, upper: 0.31, exact: false },
    ],
    other: { probability: 0.1, lower: 0.09, upper: 0.11 },
    metrics: { kl: 0.1, klNormalized: 0.05, r: 2, K: 2, entropy: 0.9, taskMass: 0.9 },
    completions: [{ text: '7', probability: 0.55, tasks: ['sum.digits'] }],
    warnings: [],
    requests: 5,
    durationMs: 120,
    ...overrides,
  };
  assert.ok(RunRecordSchema.safeParse(record).success);
  return record;
}

// ── An independent oracle for the teacher-forced bounds ──────────────────────────────────────────
// Written from the rule in docs/ARCHITECTURE.md ("Teacher-forced scoring with bounds") and issue 10,
// not from src/core/estimate: given the replies the estimator received, the best bound that rule
// allows. Tests compare every interval with it, so a bound that is looser (or tighter) than the rule
// fails, not only one that misses the truth.

import type { NextTokenSource } from '../../src/core/estimate/tokenSource';
import type { NextTokenReply } from '../../src/core/ollama/client';

/** A token source that remembers every reply (keyed by the prefix after the prompt). */
export function recordingSource(inner: NextTokenSource): { source: NextTokenSource; replies: Map<string, NextTokenReply> } {
  const replies = new Map<string, NextTokenReply>();
  const source: NextTokenSource = {
    get requests() {
      return inner.requests;
    },
    get maxPromptTokens() {
      return inner.maxPromptTokens;
    },
    next(prefix, signal) {
      return inner.next(prefix, signal).then((reply) => {
        replies.set(prefix, reply);
        return reply;
      });
    },
  };
  return { source, replies };
}

export interface OracleOptions {
  terminated: boolean;
  minNodeMass?: number;
  profile: 'go' | 'llama-server';
  /** Literal texts the client must read as end of text (Go runners): well-known end tokens, Modelfile stops. */
  ends: ReadonlySet<string>;
  /** Literal texts of the model's other control tokens (and unknown end tokens): may or may not end the text. */
  controls: ReadonlySet<string>;
}

export interface OracleBound {
  lower: number;
  upper: number;
  exact: boolean;
  /** Prefixes the rule needs a reply for that the estimator never asked. */
  missing: string[];
}

/** End tokens every client knows by their Go-runner text. */
export const KNOWN_END_TEXTS: ReadonlySet<string> = new Set(['</s>', '<|eot_id|>', '<|endoftext|>', '<|im_end|>', '<eos>', '<|end|>', '<end_of_turn>', '<|end_of_text|>', '<|eom_id|>']);

const NOISE = 1e-6;
const REPLACEMENT = '\ufffd';
const bin = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');
const fromBin = (b: string): string | undefined => {
  const buf = Buffer.from(b, 'latin1');
  const text = buf.toString('utf8');
  return Buffer.from(text, 'utf8').equals(buf) ? text : undefined;
};

export function bestBounds(replies: ReadonlyMap<string, NextTokenReply>, answers: readonly string[], o: OracleOptions): OracleBound[] {
  const targets = answers.map(bin);
  const lower = answers.map(() => 0);
  const gap = answers.map(() => 0);
  const missing: string[] = [];
  const minNodeMass = o.minNodeMass ?? 0;
  // Mass reaching each byte prefix on seen paths.
  const mass = new Map<string, number>([['', 1]]);
  const done = new Set<string>();
  const goesOn = (t: string, node: string) => t.startsWith(node) && (t.length > node.length || o.terminated);
  const dependents = (node: string) => targets.map((t, i) => (goesOn(t, node) ? i : -1)).filter((i) => i >= 0);
  const endsAt = (node: string) => targets.map((t, i) => (t === node ? i : -1)).filter((i) => i >= 0);
  const nonAsciiNext = (t: string, at: number) => at < t.length && t.charCodeAt(at) >= 0x80;

  for (;;) {
    const open = [...mass.keys()].filter((k) => !done.has(k));
    if (open.length === 0) break;
    const len = Math.min(...open.map((k) => k.length));
    for (const node of open.filter((k) => k.length === len).sort()) {
      done.add(node);
      const m = mass.get(node)!;
      if (m <= 0 || !targets.some((t) => goesOn(t, node))) continue;
      const text = fromBin(node);
      if (text === undefined || m < minNodeMass) {
        for (const i of dependents(node)) gap[i]! += m;
        continue;
      }
      const reply = replies.get(text);
      if (!reply) {
        missing.push(text);
        for (const i of dependents(node)) gap[i]! += m;
        continue;
      }
      if (reply.top.length === 0) {
        for (const i of dependents(node)) gap[i]! += m;
        continue;
      }
      const probs = reply.top.map((e) => Math.exp(e.logprob));
      for (const [j, e] of reply.top.entries()) {
        const p = m * probs[j]!;
        const empty = e.token === '' && !(e.bytes && e.bytes.length > 0);
        if (o.profile === 'go' && o.ends.has(e.token)) {
          if (o.terminated) for (const i of endsAt(node)) lower[i]! += p;
          continue;
        }
        if (o.profile === 'go' && o.controls.has(e.token)) {
          if (o.terminated) for (const i of endsAt(node)) gap[i]! += p;
          continue;
        }
        if (empty || e.token.includes(REPLACEMENT)) {
          // llama-server's "" (end, any control token, or lead bytes of a split character) and U+FFFD
          // pieces (bytes Ollama replaced): unknown non-ASCII bytes after what is readable.
          if (empty && o.terminated) for (const i of endsAt(node)) gap[i]! += p;
          const known = node + (empty ? '' : bin(e.token.slice(0, e.token.indexOf(REPLACEMENT))));
          targets.forEach((t, i) => {
            if (t.startsWith(known) && nonAsciiNext(t, known.length)) gap[i]! += p;
            else if (!empty && o.terminated && known.length > t.length && known.startsWith(t) && known.charCodeAt(t.length) === 0x0a) lower[i]! += p;
          });
          continue;
        }
        const child = node + (e.bytes ? Buffer.from(e.bytes).toString('latin1') : bin(e.token));
        let walk = false;
        targets.forEach((t, i) => {
          if (t.startsWith(child)) {
            if (t.length > child.length || o.terminated) walk = true;
            else lower[i]! += p;
          } else if (o.terminated && child.length > t.length && child.startsWith(t) && child.charCodeAt(t.length) === 0x0a) lower[i]! += p;
        });
        if (walk) mass.set(child, (mass.get(child) ?? 0) + p);
      }
      const seen = probs.reduce((a, b) => a + b, 0);
      const unseen = 1 - seen < NOISE ? 0 : 1 - seen;
      if (unseen <= 0) continue;
      const smallest = Math.min(...probs);
      for (const i of dependents(node)) {
        gap[i]! += o.terminated ? m * unseen : m * Math.min(unseen, (targets[i]!.length - node.length) * smallest);
      }
    }
  }
  return answers.map((_, i) => {
    const lo = Math.min(1, lower[i]!);
    return { lower: lo, upper: Math.min(1, lo + gap[i]!), exact: gap[i] === 0, missing };
  });
}
