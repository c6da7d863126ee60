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
  it('each explanation only when it applies; the ARN from the log when the admin API gave none; the region in the derived ARN', () => {
    const regionOnly = crossCheck('sts.amazonaws.com', undefined, [{ source: 'admin', arn: `arn:minio:iam:eu-west-1::role/${ROLE}`, detail: '' }]);
    assert.equal(regionOnly.explanations.length, 1, 'the role id matches: no client-id explanation');
    const idOnly = crossCheck('my-audience', undefined, [{ source: 'logs', arn: `arn:minio:iam:::role/${ROLE}`, detail: '' }]);
    assert.equal(idOnly.explanations.length, 1, 'the region matches: no region explanation');
    assert.equal(idOnly.arn, `arn:minio:iam:::role/${ROLE}`, "MinIO's ARN from its log");
    const fromLater = crossCheck('sts.amazonaws.com', undefined, [
      { source: 'logs', arn: undefined, detail: 'no line' },
      { source: 'logs', arn: `arn:minio:iam:eu-1::role/${ROLE}`, detail: '' },
    ]);
    assert.equal(fromLater.arn, `arn:minio:iam:eu-1::role/${ROLE}`);
    const unparsable = crossCheck('sts.amazonaws.com', undefined, [{ source: 'admin', arn: 'not-an-arn', detail: '' }]);
    assert.deepEqual(unparsable.explanations, [], 'nothing to compare, and no crash');
    assert.equal(unparsable.agree, false);
    const regional = crossCheck('sts.amazonaws.com', 'eu-west-1', []);
    assert.equal(regional.arn, `arn:minio:iam:eu-west-1::role/${ROLE}`);
    assert.equal(regional.agree, true);
    assert.match(regional.findings[0]?.detail ?? '', /region "eu-west-1"/);
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
