import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configLine } from '../../src/minio/admin.js';
import { arnFromLog, crossCheck } from '../../src/minio/arn-sources.js';
import { broadPolicyWarning } from '../../src/minio/policy.js';

const ROLE = 'oxnUw3DAuQF1uggjXGxI2AmW8IA';

describe('role ARN cross-check', () => {
  it('agrees when every source gives the derived ARN', () => {
    const result = crossCheck('sts.amazonaws.com', undefined, [
      { source: 'logs', arn: `arn:minio:iam:::role/${ROLE}`, detail: '' },
      { source: 'admin', arn: `arn:minio:iam:::role/${ROLE}`, detail: '' },
    ]);
    assert.equal(result.agree, true);
    assert.deepEqual(result.explanations, []);
  });
  it('names a server region as the reason, and prefers MinIO\'s own ARN', () => {
    const result = crossCheck('sts.amazonaws.com', undefined, [{ source: 'admin', arn: `arn:minio:iam:eu-west-1::role/${ROLE}`, detail: '' }]);
    assert.equal(result.agree, false);
    assert.equal(result.arn, `arn:minio:iam:eu-west-1::role/${ROLE}`);
    assert.match(result.explanations.join('\n'), /MinIO has a region set[^\n]*--region eu-west-1/);
  });
  it('names another client id as the reason', () => {
    const result = crossCheck('my-audience', undefined, [{ source: 'logs', arn: `arn:minio:iam:::role/${ROLE}`, detail: '' }]);
    assert.match(result.explanations.join('\n'), /not derived from client id "my-audience"/);
  });
  it('explains a source that found nothing', () => {
    const result = crossCheck('sts.amazonaws.com', undefined, [{ source: 'admin', arn: undefined, detail: 'provider "_" has no role ARN' }]);
    assert.equal(result.agree, false);
    assert.match(result.explanations[0] ?? '', /admin: provider "_" has no role ARN/);
  });
  it('picks this client id\'s ARN out of a multi-provider log line', () => {
    const other = 'arn:minio:iam:::role/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA';
    assert.equal(arnFromLog(`INFO: IAM Roles: ${other} arn:minio:iam:::role/${ROLE}`, 'sts.amazonaws.com', 'log').arn, `arn:minio:iam:::role/${ROLE}`);
    assert.throws(() => arnFromLog('nothing here', 'x', 'the log'), /no "IAM Roles:" line/);
    assert.equal(arnFromLog(`IAM Roles: ${other}`, 'sts.amazonaws.com', 'log').arn, other, "a single role is MinIO's, whoever it belongs to");
    assert.throws(() => arnFromLog(`IAM Roles: ${other} arn:minio:iam:::role/${ROLE}`, 'nobody', 'the log'), /none of the role ARNs in the log .* belongs to client id "nobody"/);
  });
});

describe('admin API helpers', () => {
  it('writes madmin config lines, quoting only when needed', () => {
    assert.equal(configLine({ config_url: 'https://k:6443/.well-known/openid-configuration', role_policy: 'a,b' }), 'config_url=https://k:6443/.well-known/openid-configuration role_policy=a,b');
    assert.equal(configLine({ display_name: 'my k8s', comment: 'say "hi"', empty: '' }), 'display_name="my k8s" comment="say \\"hi\\"" empty=""');
  });
  it('warns about broad built-in role policies only', () => {
    assert.match(broadPolicyWarning(['readwrite', 'mine']) ?? '', /role policy readwrite is a broad built-in/);
    assert.equal(broadPolicyWarning(['minio-irsa']), undefined);
  });
});
