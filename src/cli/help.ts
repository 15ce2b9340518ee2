/** `superposition <command> --help` and "did you mean" for mistyped options, from the usage text. */

const COMMANDS = ['analyze', 'models', 'generate', 'tasks', 'scale', 'calibrate'] as const;

/** The usage lines of one subcommand (its `superposition <command>` line and the lines under it). */
export function commandUsage(usage: string, command: string): string | undefined {
  const lines = usage.split('\n');
  const start = lines.findIndex((l) => l.trimStart().startsWith(`superposition ${command} `) || l.trim() === `superposition ${command}`);
  if (start < 0) return undefined;
  const indent = lines[start]!.length - lines[start]!.trimStart().length;
  const out = [lines[start]!.trimStart()];
  for (const line of lines.slice(start + 1)) {
    const lead = line.length - line.trimStart().length;
    if (line.trim() === '' || (lead <= indent && line.trimStart().startsWith('superposition '))) break;
    out.push(line.slice(Math.min(indent, lead)));
  }
  return `Usage:\n  ${out.join('\n  ')}`;
}

export function isCommand(name: string | undefined): name is (typeof COMMANDS)[number] {
  return (COMMANDS as readonly string[]).includes(name ?? '');
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}

/** " (did you mean --model?)" for an unknown option close to one the usage text names, else "". */
export function didYouMean(usage: string, unknown: string): string {
  const known = [...new Set(usage.match(/--[a-z][a-z-]*/g) ?? [])];
  const wanted = unknown.replace(/=.*$/, '');
  const best = known.map((k) => ({ k, d: distance(wanted, k) })).sort((a, b) => a.d - b.d)[0];
  return best && best.d > 0 && best.d <= Math.max(2, Math.floor(wanted.length / 4)) ? ` (did you mean ${best.k}?)` : '';
}
