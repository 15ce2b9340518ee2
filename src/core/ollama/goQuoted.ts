/**
 * `/api/show` prints a model's Modelfile parameters with Go's `fmt.Sprintf("%-30s %#v", key, value)`:
 * one line per value, strings Go-quoted (strconv.Quote: `"\n\n"` is two newlines, `"\x00"` a NUL
 * byte, `"\u00e9"` é). Reading `\n` as `n` would turn a stop "\n\n" into "nn".
 */

const SIMPLE: Readonly<Record<string, number>> = { a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92, '"': 34, "'": 39 };

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

/** The value of a Go double-quoted string literal's body (without the quotes); undefined if malformed. */
export function unquoteGo(body: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < body.length; ) {
    const c = body[i]!;
    if (c !== '\\') {
      const cp = body.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      bytes.push(...encoder.encode(ch));
      i += ch.length;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) return undefined;
    if (e in SIMPLE) {
      bytes.push(SIMPLE[e]!);
      i += 2;
    } else if (e === 'x') {
      const hex = body.slice(i + 2, i + 4);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(Number.parseInt(hex, 16));
      i += 4;
    } else if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8;
      const hex = body.slice(i + 2, i + 2 + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) return undefined;
      const cp = Number.parseInt(hex, 16);
      if (cp > 0x10ffff) return undefined;
      bytes.push(...encoder.encode(String.fromCodePoint(cp)));
      i += 2 + n;
    } else if (/[0-7]/.test(e)) {
      const oct = body.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct) || Number.parseInt(oct, 8) > 255) return undefined;
      bytes.push(Number.parseInt(oct, 8));
      i += 4;
    } else return undefined;
  }
  return decoder.decode(Uint8Array.from(bytes));
}

/** The `stop` values of an `/api/show` `parameters` text, unquoted. */
export function parseModelfileStops(parameters: string): string[] {
  const stops: string[] = [];
  for (const m of parameters.matchAll(/^stop\s+"((?:[^"\\]|\\.)*)"\s*$/gm)) {
    const value = unquoteGo(m[1]!);
    if (value !== undefined && value !== '') stops.push(value);
  }
  return stops;
}
