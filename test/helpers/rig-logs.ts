import type { SuiteContext, TestContext } from 'node:test';
import type { Rig } from '../rig/index.js';

/**
 * For afterEach: when a test fails, keep the rig's directory and name each server's log,
 * so the failure report says where to look.
 */
export function reportRigOnFailure(current: () => Rig | undefined) {
  return (t: TestContext | SuiteContext): void => {
    const rig = current();
    if (!rig || (t as { passed?: boolean }).passed !== false) return;
    rig.markFailed();
    process.stderr.write(`\nrig logs for the failed test "${t.name}":\n${rig.logs()}\n`);
  };
}
