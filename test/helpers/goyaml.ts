import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { provision } from '../rig/index.js';

/** Every document of the text as Go's YAML parser (kubectl's, test/goyaml) reads it; fails the test if Go refuses the text. */
export function goParse(text: string): unknown[] {
  const result = spawnSync(provision().goyaml, [], { input: text, encoding: 'utf8' });
  assert.equal(result.status, 0, `Go's YAML parser refused the text: ${result.stderr}\n${text}`);
  return result.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown);
}
