/**
 * Ollama TEST DOUBLE — deterministic PRNG (sfc32) seeded from a string or number via sha256.
 */
import { createHash, randomBytes } from 'node:crypto';

export type Rng = () => number;

function sfc32(a: number, b: number, c: number, d: number): Rng {
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

function fromBytes(buf: Buffer): Rng {
  const r = sfc32(buf.readUInt32LE(0), buf.readUInt32LE(4), buf.readUInt32LE(8), buf.readUInt32LE(12));
  for (let i = 0; i < 12; i++) r(); // warm up
  return r;
}

export function rngFromString(seed: string): Rng {
  return fromBytes(createHash('sha256').update(seed, 'utf8').digest());
}

export function rngFromSeed(seed: number): Rng {
  return rngFromString(`seed:${seed}`);
}

export function randomRng(): Rng {
  return fromBytes(randomBytes(16));
}

/** Standard normal via Box–Muller. */
export function gaussian(rng: Rng): number {
  let u = rng();
  while (u <= 1e-12) u = rng();
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function randInt(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  const x = items[Math.floor(rng() * items.length)];
  if (x === undefined) throw new Error('pick from empty list');
  return x;
}

export function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const a = items[i] as T;
    items[i] = items[j] as T;
    items[j] = a;
  }
  return items;
}
