/**
 * Opaque, readable task colours. VS Code's `--vscode-charts-*` are translucent in some themes
 * (Dark Modern, Light Modern), so a task's text or line could be nearly invisible. The palette is
 * resolved once per theme: each colour composited over the panel background, then darkened or
 * lightened until it reaches WCAG contrast 4.5:1 against it. HTML (CSS variables) and canvas use
 * the same resolved values. Pure functions, unit-tested under node.
 */

export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** Parses #rgb, #rgba, #rrggbb, #rrggbbaa, rgb(…) and rgba(…); undefined otherwise. */
export function parseColor(text: string): Rgba | undefined {
  const s = text.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3,8})$/.exec(s)?.[1];
  if (hex && [3, 4, 6, 8].includes(hex.length)) {
    const digits = hex.length <= 4 ? [...hex].map((c) => c + c) : hex.match(/../g)!;
    const [r, g, b, a] = digits.map((d) => Number.parseInt(d, 16));
    return { r: r!, g: g!, b: b!, a: a === undefined ? 1 : a / 255 };
  }
  const fn = /^rgba?\(([^)]*)\)$/.exec(s)?.[1];
  if (fn) {
    const parts = fn.split(/[\s,/]+/).filter(Boolean);
    if (parts.length < 3) return undefined;
    const channel = (p: string) => (p.endsWith('%') ? (Number.parseFloat(p) / 100) * 255 : Number.parseFloat(p));
    const alpha = parts[3] === undefined ? 1 : parts[3].endsWith('%') ? Number.parseFloat(parts[3]) / 100 : Number.parseFloat(parts[3]);
    const [r, g, b] = parts.slice(0, 3).map(channel);
    if ([r, g, b, alpha].some((v) => !Number.isFinite(v))) return undefined;
    return { r: r!, g: g!, b: b!, a: Math.max(0, Math.min(1, alpha)) };
  }
  return undefined;
}

/** `top` painted over an opaque `bottom`. */
export function composite(top: Rgba, bottom: Rgba): Rgba {
  const mix = (t: number, b: number) => t * top.a + b * (1 - top.a);
  return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a: 1 };
}

function luminance(c: Rgba): number {
  const lin = (v: number) => {
    const x = v / 255;
    return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

/** WCAG contrast ratio of two opaque colours (1 … 21). */
export function contrastRatio(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

export function toHex(c: Rgba): string {
  const h = (v: number) => Math.round(Math.max(0, Math.min(255, v))).toString(16).padStart(2, '0');
  return `#${h(c.r)}${h(c.g)}${h(c.b)}`;
}

/**
 * The colour composited over the background, moved toward white (dark background) or black
 * (light background) in small steps until its contrast reaches `min`.
 */
export function readableOn(color: string, background: string, min = 4.5): string {
  const bg = parseColor(background);
  const fg = parseColor(color);
  if (!bg || !fg) return color;
  const base = { ...bg, a: 1 };
  const solid = composite(fg, base);
  const target = luminance(base) < 0.4 ? { r: 255, g: 255, b: 255, a: 1 } : { r: 0, g: 0, b: 0, a: 1 };
  for (let t = 0; t <= 1.0001; t += 0.02) {
    const c = { r: solid.r + (target.r - solid.r) * t, g: solid.g + (target.g - solid.g) * t, b: solid.b + (target.b - solid.b) * t, a: 1 };
    if (contrastRatio(c, base) >= min) return toHex(c);
  }
  return toHex(target);
}
