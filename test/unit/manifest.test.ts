// The extension manifest: every contributed command is registered, every walkthrough step's media ships.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: { commands: Array<{ command: string }>; walkthroughs: Array<{ steps: Array<{ id: string; media: { markdown?: string }; completionEvents?: string[]; description: string }> }> };
};
const extension = readFileSync(join(root, 'src', 'extension', 'extension.ts'), 'utf8');

test('every contributed command is registered at activation', () => {
  for (const { command } of pkg.contributes.commands) {
    const id = command.replace(/^superposition\./, '');
    assert.match(extension, new RegExp(`command\\('${id}'`), `${command} has no handler in extension.ts`);
  }
});

test('the Getting Started walkthrough: media that ships, commands that exist', () => {
  const ids = new Set(pkg.contributes.commands.map((c) => c.command));
  const steps = pkg.contributes.walkthroughs[0]?.steps ?? [];
  assert.ok(steps.length >= 3);
  for (const step of steps) {
    assert.ok(step.media.markdown && existsSync(join(root, step.media.markdown)), `${step.id}: ${step.media.markdown}`);
    for (const link of step.description.matchAll(/command:([\w.]+)/g)) assert.ok(ids.has(link[1]!), `${step.id} links ${link[1]}`);
    for (const ev of step.completionEvents ?? []) if (ev.startsWith('onCommand:')) assert.ok(ids.has(ev.slice('onCommand:'.length)), `${step.id}: ${ev}`);
  }
});
