/**
 * Ollama TEST DOUBLE — the double's own toy tokenizer (not any real model's).
 *
 * Greedy split, left to right, over code points:
 *  - a run of letters (Unicode L/M), optionally with ONE leading space glued on (" hello");
 *  - a run of at most 3 ASCII digits, optionally with one leading space (" 81", "202"+"5");
 *  - any other code point alone ("-", ">", "\n", " ", "é" is a letter).
 * Used for prompt_eval_count, `context` ids, and the default answer split of scriptFromAnswers.
 */

const LETTER = /^[\p{L}\p{M}]$/u;
const DIGIT = /^[0-9]$/;

function isLetter(c: string | undefined): boolean {
  return c !== undefined && LETTER.test(c);
}
function isDigit(c: string | undefined): boolean {
  return c !== undefined && DIGIT.test(c);
}

export function tokenize(text: string): string[] {
  const cps = Array.from(text);
  const out: string[] = [];
  let i = 0;
  while (i < cps.length) {
    const c = cps[i] as string;
    let prefix = '';
    let j = i;
    if (c === ' ' && (isLetter(cps[i + 1]) || isDigit(cps[i + 1]))) {
      prefix = ' ';
      j = i + 1;
    }
    const d = cps[j] as string;
    if (isLetter(d)) {
      let k = j;
      while (k < cps.length && isLetter(cps[k])) k++;
      out.push(prefix + cps.slice(j, k).join(''));
      i = k;
    } else if (isDigit(d)) {
      let k = j;
      while (k < cps.length && k - j < 3 && isDigit(cps[k])) k++;
      out.push(prefix + cps.slice(j, k).join(''));
      i = k;
    } else {
      out.push(c);
      i++;
    }
  }
  return out;
}

// Stable token ids: FNV-1a of the UTF-8 bytes, 31 bits, linear probing on collision.
// Ids are process-wide so that `context` ids can be detokenized again.
const idOf = new Map<string, number>();
const tokOf = new Map<number, string>();

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function tokenId(token: string): number {
  const known = idOf.get(token);
  if (known !== undefined) return known;
  let id = (fnv1a(token) % 2_000_000_000) + 16;
  while (tokOf.has(id)) id++;
  idOf.set(token, id);
  tokOf.set(id, token);
  return id;
}

export function tokenIds(text: string): number[] {
  return tokenize(text).map(tokenId);
}

/** Unknown ids are skipped. */
export function detokenize(ids: readonly number[]): string {
  let s = '';
  for (const id of ids) s += tokOf.get(id) ?? '';
  return s;
}
