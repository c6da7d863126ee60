import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Node 20's test runner has no snapshots. Snapshots live in test/unit/__snapshots__/ and
// are created or rewritten only on request (UPDATE_SNAPSHOTS=1): a missing one fails, so a
// test can never pass by recording whatever the code printed.
const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'unit', '__snapshots__');

export function matchSnapshot(name: string, actual: string): void {
  const file = join(dir, `${name}.snap`);
  if (process.env['UPDATE_SNAPSHOTS'] === '1') {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `snapshot ${name} is missing: run the unit tests once with UPDATE_SNAPSHOTS=1 and commit it`);
  assert.equal(actual, readFileSync(file, 'utf8'), `snapshot ${name} changed: if intended, rerun with UPDATE_SNAPSHOTS=1`);
}
