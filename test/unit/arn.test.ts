import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveRoleArn, parseRoleArn, roleArnsFromLogs, roleIdOf } from '../../src/minio/arn.js';

describe('role ARN derivation', () => {
  it('matches the known vector for sts.amazonaws.com', () => {
    assert.equal(roleIdOf('sts.amazonaws.com'), 'oxnUw3DAuQF1uggjXGxI2AmW8IA');
    assert.equal(deriveRoleArn('sts.amazonaws.com'), 'arn:minio:iam:::role/oxnUw3DAuQF1uggjXGxI2AmW8IA');
  });
  it('puts the server region in the ARN', () => {
    assert.equal(deriveRoleArn('sts.amazonaws.com', 'eu-west-1'), 'arn:minio:iam:eu-west-1::role/oxnUw3DAuQF1uggjXGxI2AmW8IA');
  });
  it('is base64url without padding (no +, / or =)', () => {
    for (const id of ['a', 'minio', 'https://kubernetes.default.svc', 'x'.repeat(100)]) assert.match(roleIdOf(id), /^[A-Za-z0-9_-]{27}$/);
  });
  it('parses an ARN back', () => {
    assert.deepEqual(parseRoleArn('arn:minio:iam:us-east-1::role/abc'), { region: 'us-east-1', roleId: 'abc' });
    assert.equal(parseRoleArn('arn:aws:iam::123:role/x'), undefined);
  });
});

describe('role ARNs from MinIO logs', () => {
  const arn = 'arn:minio:iam:::role/oxnUw3DAuQF1uggjXGxI2AmW8IA';
  it('reads the plain startup line', () => {
    assert.deepEqual(roleArnsFromLogs(`MinIO Object Storage Server\nIAM Roles: ${arn}\nAPI: http://127.0.0.1:9000\n`), [arn]);
  });
  it('reads the INFO: prefixed line of newer releases', () => {
    assert.deepEqual(roleArnsFromLogs(`INFO: IAM Roles: ${arn}`), [arn]);
  });
  it('strips ANSI colours', () => {
    assert.deepEqual(roleArnsFromLogs(`\x1b[1mIAM Roles: \x1b[0m\x1b[36m${arn}\x1b[0m\r\n`), [arn]);
  });
  it('reads --json log lines', () => {
    const line = JSON.stringify({ level: 'INFO', time: '2026-01-01T00:00:00Z', message: `IAM Roles: ${arn}` });
    assert.deepEqual(roleArnsFromLogs(`${line}\n{"level":"INFO","message":"API: http://x"}`), [arn]);
  });
  it('returns every ARN of a multi-provider line', () => {
    const other = 'arn:minio:iam:::role/Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA';
    assert.deepEqual(roleArnsFromLogs(`IAM Roles: ${arn} ${other}`), [arn, other]);
  });
  it('keeps the last start when the log spans restarts', () => {
    const regional = 'arn:minio:iam:eu-west-1::role/oxnUw3DAuQF1uggjXGxI2AmW8IA';
    assert.deepEqual(roleArnsFromLogs(`IAM Roles: ${arn}\nExiting on signal\nIAM Roles: ${regional}\n`), [regional]);
  });
  it('says undefined when there is no IAM Roles line', () => {
    assert.equal(roleArnsFromLogs('API: http://127.0.0.1:9000\nStatus: 1 Online'), undefined);
    assert.equal(roleArnsFromLogs(''), undefined);
  });
  it('ignores ARNs outside an IAM Roles line', () => {
    assert.equal(roleArnsFromLogs(`Error processing RoleArn parameter: RoleARN ${arn} is not defined.`), undefined);
  });
});
