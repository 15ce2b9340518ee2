/**
 * Theme colours for the charts, read from VS Code's CSS variables, and a watcher that fires when the
 * theme changes (VS Code swaps the body class and the variables on <html>).
 */
import { readableOn } from './colors';
import { TASK_PALETTE_FALLBACKS, TASK_PALETTE_VARS } from './format';

export interface ThemeColors {
  foreground: string;
  muted: string;
  background: string;
  border: string;
  grid: string;
  focus: string;
  /** Task palette, indexed by taskColorIndex. */
  tasks: string[];
  other: string;
  left: string;
  right: string;
  /** Whisker and share-marker ink. */
  ink: string;
  highContrast: boolean;
  light: boolean;
  fontFamily: string;
  fontSize: number;
}

function cssVar(style: CSSStyleDeclaration, name: string, fallback: string): string {
  const value = style.getPropertyValue(name).trim();
  return value || fallback;
}

export function isHighContrast(): boolean {
  const c = document.body.classList;
  return c.contains('vscode-high-contrast') || c.contains('vscode-high-contrast-light');
}

export function isLight(): boolean {
  const c = document.body.classList;
  return c.contains('vscode-light') || c.contains('vscode-high-contrast-light');
}

export function prefersReducedMotion(): boolean {
  return document.body.classList.contains('vscode-reduce-motion') || window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/**
 * Reads the theme, resolving the task palette to opaque colours readable on the background
 * (colors.ts), and publishes them as `--sp-task-N` on <body> so HTML and canvas use the same ones.
 */
export function readTheme(): ThemeColors {
  // VS Code sets the variables on <html>; the body inherits them. Read from body so test harnesses
  // that set them on body work too.
  const style = getComputedStyle(document.body);
  const light = isLight();
  const highContrast = isHighContrast();
  const foreground = cssVar(style, '--vscode-foreground', light ? '#3b3b3b' : '#cccccc');
  const background = cssVar(style, '--vscode-editor-background', light ? '#ffffff' : '#1f1f1f');
  const tasks = TASK_PALETTE_VARS.map((name, i) => readableOn(cssVar(style, name, TASK_PALETTE_FALLBACKS[i] ?? '#888888'), background));
  tasks.forEach((color, i) => document.body.style.setProperty(`--sp-task-${i}`, color));
  const contrastBorder = cssVar(style, '--vscode-contrastBorder', '');
  const fontSize = Number.parseFloat(cssVar(style, '--vscode-font-size', '13'));
  return {
    foreground,
    muted: cssVar(style, '--vscode-descriptionForeground', light ? '#717171' : '#9d9d9d'),
    background,
    border: highContrast && contrastBorder ? contrastBorder : cssVar(style, '--vscode-panel-border', light ? '#e5e5e5' : '#2b2b2b'),
    grid: highContrast ? foreground : cssVar(style, '--vscode-editorWidget-border', light ? '#e5e5e5' : '#454545'),
    focus: cssVar(style, '--vscode-focusBorder', '#0078d4'),
    tasks,
    other: cssVar(style, '--vscode-disabledForeground', light ? '#8a8a8a' : '#7a7a7a'),
    left: tasks[0] ?? TASK_PALETTE_FALLBACKS[0],
    right: tasks[1] ?? TASK_PALETTE_FALLBACKS[1],
    ink: foreground,
    highContrast,
    light,
    fontFamily: cssVar(style, '--vscode-font-family', 'system-ui, sans-serif'),
    fontSize: Number.isFinite(fontSize) && fontSize > 0 ? fontSize : 13,
  };
}

/** Calls `onChange` (once per frame at most) when the body class or the <html> variables change. */
export function watchTheme(onChange: () => void): MutationObserver {
  let scheduled = false;
  const observer = new MutationObserver(() => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      onChange();
    });
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  return observer;
}
