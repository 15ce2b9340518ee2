/**
 * Ollama TEST DOUBLE — byte helpers. Internally the double keeps byte strings as "binary strings"
 * (one char per byte, latin1), so that pieces holding partial UTF-8 can be joined, searched and
 * cut like text. Also: how each server generation turns invalid UTF-8 into JSON text, and Go's
 * `%#v` quoting of strings (used by /api/show `parameters`). Written from the behaviour described
 * in /work/shared/reference/ollama-fidelity.md, not from Ollama's code.
 */

export const REPLACEMENT = '\ufffd';

export function toBin(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

export function binFromBytes(bytes: readonly number[]): string {
  return Buffer.from(bytes).toString('latin1');
}

export function binBytes(bin: string): number[] {
  return [...Buffer.from(bin, 'latin1')];
}

/** Length of the well-formed UTF-8 sequence starting at `i`, or 0 when the byte there starts none. */
export function validSeqLen(bin: string, i: number): number {
  const b0 = bin.charCodeAt(i);
  if (Number.isNaN(b0)) return 0;
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => {
    const b = bin.charCodeAt(i + k);
    return !Number.isNaN(b) && b >= lo && b <= hi;
  };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((b0 >= 0xe1 && b0 <= 0xec) || b0 === 0xee || b0 === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (b0 === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (b0 === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (b0 >= 0xf1 && b0 <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (b0 === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

export function isValidUtf8(bin: string): boolean {
  for (let i = 0; i < bin.length; ) {
    const n = validSeqLen(bin, i);
    if (n === 0) return false;
    i += n;
  }
  return true;
}

/**
 * Text with ONE U+FFFD per byte that starts no well-formed sequence: what Go's encoding/json
 * does to invalid UTF-8, and what llama-server's JSON serializer (replace mode) does to stray
 * continuation bytes.
 */
export function sanitizePerByte(bin: string): string {
  let out = '';
  for (let i = 0; i < bin.length; ) {
    const n = validSeqLen(bin, i);
    if (n === 0) {
      out += REPLACEMENT;
      i++;
    } else {
      out += Buffer.from(bin.slice(i, i + n), 'latin1').toString('utf8');
      i += n;
    }
  }
  return out;
}

/** Where a trailing lead sequence that is still missing bytes starts (bin.length when there is none). */
export function incompleteTailStart(bin: string): number {
  for (let back = 1; back <= 4 && back <= bin.length; back++) {
    const b = bin.charCodeAt(bin.length - back);
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back
    const need = (b & 0xe0) === 0xc0 ? 2 : (b & 0xf0) === 0xe0 ? 3 : (b & 0xf8) === 0xf0 ? 4 : 1;
    return back < need ? bin.length - back : bin.length;
  }
  return bin.length;
}

/** The text ends inside a multi-byte character (Go's IncompleteUnicode; llama-server's `incomplete`). */
export function endsIncomplete(bin: string): boolean {
  return incompleteTailStart(bin) < bin.length;
}

/** Go runners' flushPending: drop trailing bytes until the text is valid UTF-8. */
export function trimToValid(bin: string): string {
  let s = bin;
  while (s.length > 0 && !isValidUtf8(s)) s = s.slice(0, -1);
  return s;
}

/** Printable in the sense of Go's strconv.IsPrint (approximated with Unicode categories). */
function goPrintable(cp: number): boolean {
  if (cp === 0x20) return true;
  const ch = String.fromCodePoint(cp);
  return !/[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u.test(ch);
}

/** Go's `%#v` / strconv.Quote of a string: "\n\n" → `"\n\n"`, printable Unicode kept as is. */
export function goQuote(s: string): string {
  const named: Record<number, string> = { 0x07: '\\a', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x0b: '\\v', 0x22: '\\"', 0x5c: '\\\\' };
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    const n = named[cp];
    if (n !== undefined) out += n;
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (goPrintable(cp)) out += ch;
    else if (cp <= 0xffff) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** Go's `%#v` of a parameter value (strings quoted, numbers and booleans as Go prints them). */
export function goValue(v: string | number | boolean): string {
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' && !Number.isInteger(v)) return String(v).replace(/e([+-])(\d)$/, 'e$10$2');
  return String(v);
}
