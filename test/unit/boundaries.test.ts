import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { literalBlockSafe, printable } from '../../src/encode.js';
import { readBoundedFile, writeFileSafely } from '../../src/fs-safe.js';
import { arnFromAdmin, crossCheck } from '../../src/minio/arn-sources.js';
import { roleArnsFromLine } from '../../src/minio/arn.js';
import { readClientSecretFile, secretStrengthBits } from '../../src/minio/client-secret.js';
import type { AdminClient } from '../../src/minio/admin.js';
import { diagnose } from '../../src/minio/sts.js';
import { yamlBlock, yamlScalar } from '../../src/render/template.js';
import { redact, registerSecret } from '../../src/secrets.js';
import * as v from '../../src/validate.js';
import { scratchDir } from '../helpers/scratch.js';

// Boundaries and branches that the mutation audit (npm run mutate) showed no test pinned.

const ARN = 'arn:minio:iam:::role/oxnUw3DAuQF1uggjXGxI2AmW8IA';

describe('encoders at their edges', () => {
  it('printable: \\xff is the last \\x escape, \\u0100 and up are \\u', () => {
    assert.equal(printable('\u00ff'), '\u00ff', 'ÿ is printable');
    assert.equal(printable('\u009f\u0085'), '\\x9f\\x85');
    assert.equal(printable('\u2028'), '\\u2028');
  });
  it('a literal block is refused when any line ends in a blank', () => {
    assert.equal(literalBlockSafe('a\nb \nc\n'), false);
    assert.equal(literalBlockSafe('a\nb\nc\n'), true);
  });
  it('YAML: null and undefined, empty and non-empty collections in lists', () => {
    assert.equal(yamlScalar(null), 'null');
    assert.equal(yamlScalar(undefined), 'null');
    assert.equal(yamlBlock({ a: [], b: {}, c: [{}], d: [{ x: 1 }] }, 0), 'a: []\nb: {}\nc:\n  - {}\nd:\n  - x: 1');
  });
});

describe('validators at their limits', () => {
  it('credentials in a URL, even a user alone', () => {
    assert.throws(() => v.configUrl('https://user@host/.well-known/openid-configuration'), /must not carry credentials/);
    assert.throws(() => v.s3Endpoint('https://user@host:9000'), v.InvalidValue);
  });
  it('paths: 1024 characters at most; a token file in a directory of its own', () => {
    const path = (length: number) => `/${Array.from({ length: Math.ceil(length / 100) }, () => 'a'.repeat(99)).join('/')}`.slice(0, length);
    assert.equal(v.absolutePath(path(1024)).length, 1024);
    assert.throws(() => v.absolutePath(path(1025)), v.InvalidValue);
    assert.equal(v.tokenPath('/a/token'), '/a/token');
    assert.equal(v.absolutePath('/db/app.db'), '/db/app.db');
  });
  it('image references: 512 characters at most', () => {
    assert.equal(v.image('a'.repeat(512)).length, 512);
    assert.throws(() => v.image('a'.repeat(513)), v.InvalidValue);
  });
  it('says what a non-string is', () => {
    assert.throws(() => v.text(undefined), /must be a string, not empty/);
    assert.throws(() => v.text(['a']), /not a list/);
    assert.throws(() => v.text({ a: 1 }), /not a mapping/);
  });
  it('~ expands with $HOME by default', () => {
    assert.equal(v.homePath('~/x'), `${(process.env['HOME'] ?? '').replace(/\/+$/, '')}/x`);
  });
});

describe('secrets at their limits', () => {
  it('a secret of exactly six characters is scrubbed', () => {
    registerSecret('qwe123');
    assert.equal(redact('x qwe123 y'), 'x [redacted] y');
  });
  it('the strength estimate, pinned', () => {
    assert.deepEqual(
      ['ab'.repeat(20), 'Tr0ub4dor&3', 'kQ9vZ2mX7pL4sN8wR1tY6uB3cD5fG0hJ', 'abcdabcdabcdabcd', 'aXbYcZ'].map(secretStrengthBits),
      [1, 36, 160, 2, 16],
    );
  });
  it('32 random characters are enough; a space or a non-ASCII character is refused', async () => {
    const dir = scratchDir('irsa-b-');
    const file = join(dir, 's');
    writeFileSync(file, 'kQ9vZ2mX7pL4sN8wR1tY6uB3cD5fG0hJ\n', { mode: 0o600 });
    assert.equal((await readClientSecretFile(file)).secret, 'kQ9vZ2mX7pL4sN8wR1tY6uB3cD5fG0hJ');
    for (const bad of ['kQ9vZ2mX7pL4sN8w R1tY6uB3cD5fG0hJxx', 'kQ9vZ2mX7pL4sN8wéR1tY6uB3cD5fG0hJx']) {
      writeFileSync(file, `${bad}\n`);
      await assert.rejects(readClientSecretFile(file), /break env files/, bad);
    }
  });
});

describe('files at their limits', () => {
  it('a file of exactly the limit is read; the error names the code', async () => {
    const dir = scratchDir('irsa-b-');
    writeFileSync(join(dir, 'f'), 'x'.repeat(1024));
    assert.equal((await readBoundedFile(join(dir, 'f'), 1024, 'x', 'h')).text.length, 1024);
    await assert.rejects(writeFileSafely(join(dir, 'missing', 'x'), 'y', { mode: 0o600, force: false, flag: '--out' }), (error: Error) => error.message === `cannot write ${join(dir, 'missing', 'x')}: ENOENT`);
  });
});

describe('role ARNs from JSON log lines', () => {
  it('only a JSON object with a string message is read as JSON', () => {
    assert.deepEqual(roleArnsFromLine(JSON.stringify({ level: 'INFO', message: `IAM Roles: ${ARN}` })), [ARN]);
    assert.equal(roleArnsFromLine(JSON.stringify({ message: 'API: http://x', extra: `IAM Roles: ${ARN}` })), undefined, "only the JSON line's message counts");
    assert.deepEqual(roleArnsFromLine(JSON.stringify({ message: 42, text: `IAM Roles: ${ARN}` })), [ARN], 'without a string message the line is read as text');
    assert.deepEqual(roleArnsFromLine(`{not json IAM Roles: ${ARN}`), [ARN], 'a line that only looks like JSON is text');
    assert.deepEqual(roleArnsFromLine(JSON.stringify([`IAM Roles: ${ARN}`])), [ARN], 'an array is not a log record: read as text');
  });
  it('from the admin API: this provider, loaded or not', async () => {
    const admin = (providers: { name: string; enabled: boolean; roleArn: string | undefined }[]) => ({ listOpenIdProviders: async () => providers }) as unknown as AdminClient;
    assert.equal((await arnFromAdmin(admin([{ name: 'other', enabled: true, roleArn: 'x' }, { name: '_', enabled: true, roleArn: ARN }]), '_')).arn, ARN);
    const missing = await arnFromAdmin(admin([{ name: 'other', enabled: true, roleArn: 'x' }]), '_');
    assert.equal(missing.arn, undefined);
    assert.match(missing.detail, /no OpenID provider "_" in MinIO \(providers: other\)/);
    assert.match((await arnFromAdmin(admin([]), '_')).detail, /\(providers: none\)/);
    assert.match((await arnFromAdmin(admin([{ name: '_', enabled: false, roleArn: undefined }]), '_')).detail, /has no role ARN/);
  });
  it('the cross-check prefers what the admin API says, names the region it derived from', () => {
    const check = crossCheck('sts.amazonaws.com', undefined, [{ source: 'logs', arn: ARN, detail: 'log' }]);
    assert.equal(check.agree, true);
    assert.match(check.findings[0]?.detail ?? '', /region ""/);
    const both = crossCheck('sts.amazonaws.com', undefined, [{ source: 'logs', arn: 'arn:minio:iam:eu::role/oxnUw3DAuQF1uggjXGxI2AmW8IA', detail: '' }, { source: 'admin', arn: ARN, detail: '' }]);
    assert.equal(both.arn, ARN, "the admin API's answer wins");
  });
});

describe('STS diagnosis, every phrasing', () => {
  const cases: [string, string][] = [
    ['the audience is not valid', 'wrong-audience'],
    ['invalid aud claim', 'wrong-audience'],
    ['Token is not valid yet', 'token-not-yet-valid'],
    ['nbf claim in the future', 'token-not-yet-valid'],
    ['policy readonly2 not defined', 'undefined-policy'],
    ['tls: certificate is not trusted', 'jwks-unreachable'],
    ['dial tcp 10.0.0.1:6443: i/o timeout', 'jwks-unreachable'],
    ['connection refused', 'jwks-unreachable'],
    ['lookup k3s: no such host', 'jwks-unreachable'],
    ['failed to fetch jwks', 'jwks-unreachable'],
    ['signature is invalid', 'invalid-token'],
    ['No public key found for kid abc', 'invalid-token'],
    ['malformed jwt', 'invalid-token'],
    ['something else entirely', 'unknown'],
  ];
  for (const [message, problem] of cases) it(`${problem}: ${message}`, () => assert.equal(diagnose(400, 'InvalidParameterValue', message)[0], problem));
});

describe('network errors, every code in words', () => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ code: 'ECONNREFUSED' }, 'refused', /refused the connection/],
    [{ code: 'ENOTFOUND' }, 'dns', /cannot resolve h/],
    [{ code: 'EAI_AGAIN' }, 'dns', /cannot resolve h/],
    [{ code: 'ETIMEDOUT' }, 'timeout', /no answer from h:1 within 2 s/],
    [{ name: 'TimeoutError' }, 'timeout', /no answer/],
    [{ name: 'AbortError' }, 'timeout', /no answer/],
    [{ code: 'ABORT_ERR' }, 'timeout', /no answer/],
    [{ code: 'EPROTO' }, 'protocol', /speaks plain HTTP, not HTTPS/],
    [{ code: 'ERR_SSL_WRONG_VERSION_NUMBER' }, 'protocol', /speaks plain HTTP/],
    [{ code: 'ESOMETHING', message: 'ssl3_get_record: packet length too long' }, 'protocol', /speaks plain HTTP/],
    [{ code: 'ECONNRESET' }, 'other', /closed the connection without answering/],
    [{ code: 'EPIPE' }, 'other', /closed the connection without answering/],
    [{ code: 'EHOSTUNREACH' }, 'other', /no route to h:1/],
    [{ code: 'ENETUNREACH' }, 'other', /no route to h:1/],
    [{ code: 'HPE_INVALID_CONSTANT' }, 'protocol', /did not answer in HTTP/],
    [{ code: 'EWHATEVER', message: 'first line\nsecond line' }, 'other', /^cannot reach h:1: first line$/],
    [{ code: 'CERT_HAS_EXPIRED' }, 'tls', /the server certificate has expired/],
  ];
  for (const [error, kind, pattern] of cases) {
    it(`${error['code'] ?? error['name']}: ${kind}`, async () => {
      const { classifyNetworkError } = await import('../../src/net.js');
      const classified = classifyNetworkError('https://h:1/x', Object.assign(new Error(error['message'] ?? 'boom'), error), 2000);
      assert.equal(classified.kind, kind);
      assert.match(classified.message, pattern);
    });
  }
  it('an error with no message falls back to its code', async () => {
    const { classifyNetworkError } = await import('../../src/net.js');
    assert.equal(classifyNetworkError('https://h:1/', { code: 'EODD' }, 1000).message, 'cannot reach h:1: EODD');
  });
});

describe('anonymous-auth remediation, per distribution', () => {
  const detection = (distribution: string, minor: number | undefined, anonymousAuthArg?: boolean) => ({ distribution, gitVersion: 'v1', minor, evidence: [], anonymousAuthArg }) as never;
  const text = async (d: never) => (await import('../../src/kube/remediation.js')).anonymousRemediation(d).join('\n');
  it('1.32 is the first version offered the path-restricted configuration', async () => {
    const { supportsAuthnConfig } = await import('../../src/kube/remediation.js');
    assert.equal(supportsAuthnConfig({ minor: 32 }), true);
    assert.equal(supportsAuthnConfig({ minor: 31 }), false);
    assert.equal(supportsAuthnConfig({ minor: undefined }), false);
    assert.match(await text(detection('kubernetes', 32)), /render authn-config --api-version v1beta1 > authn-config\.yaml/);
    assert.match(await text(detection('kubernetes', 34)), /--api-version v1 >/);
    assert.doesNotMatch(await text(detection('kubernetes', 31)), /authn-config/);
  });
  it('k3s node args that turn it off are named only when they do', async () => {
    assert.match(await text(detection('k3s', 34, false)), /node args pass anonymous-auth=false; remove that entry from \/etc\/rancher\/k3s\/config\.yaml/);
    assert.doesNotMatch(await text(detection('k3s', 34, true)), /node args pass/);
    assert.doesNotMatch(await text(detection('k3s', 34)), /node args pass/);
    assert.doesNotMatch(await text(detection('kubernetes', 34, false)), /node args pass/, 'no config file to name');
  });
  it('each distribution gets its own exact step', async () => {
    const expected: [string, RegExp][] = [
      ['k3s', /in \/etc\/rancher\/k3s\/config\.yaml:\n {4}kube-apiserver-arg:\n {6}- "anonymous-auth=true"\n {2}then: systemctl restart k3s/],
      ['rke2', /then: systemctl restart rke2-server/],
      ['k0s', /in k0s\.yaml: spec\.api\.extraArgs: \{anonymous-auth: "true"\}, then restart k0s/],
      ['microk8s', /add --anonymous-auth=true to \/var\/snap\/microk8s\/current\/args\/kube-apiserver, then: microk8s stop && microk8s start/],
      ['minikube', /minikube start --extra-config=apiserver\.anonymous-auth=true/],
      ['kind', /apiServer\.extraArgs: \{anonymous-auth: "true"\}, then recreate the cluster/],
      ['kubernetes', /set --anonymous-auth=true \(the kubelet restarts the apiserver\)/],
    ];
    for (const [distribution, pattern] of expected) {
      const lines = await text(detection(distribution, 30));
      assert.match(lines, pattern, distribution);
      for (const [other, otherPattern] of expected) if (other !== distribution && !(distribution === 'k3s' && other === 'rke2') && !(distribution === 'rke2' && other === 'k3s')) assert.doesNotMatch(lines, otherPattern, `${distribution} must not get ${other}'s step`);
    }
    for (const managed of ['eks', 'gke', 'aks']) assert.match(await text(detection(managed, 34)), new RegExp(`^${managed.toUpperCase()} publishes the issuer on a public OIDC URL`), managed);
  });
});

describe('distribution signals, each alone', () => {
  const version = { gitVersion: 'v1.33.2', major: '1', minor: '33' };
  const node = (labels: Record<string, string> = {}, providerID?: string, annotations: Record<string, string> = {}) => ({ name: 'n1', labels, annotations, providerID });
  it('managed clusters by label or providerID, with the evidence', async () => {
    const { detect } = await import('../../src/kube/detect.js');
    const cases: [ReturnType<typeof node>, string, RegExp][] = [
      [node({}, 'azure:///subscriptions/x/vm/1'), 'aks', /providerID azure:\/\//],
      [node({ 'kubernetes.azure.com/cluster': 'c' }), 'aks', /label kubernetes\.azure\.com\/cluster/],
      [node({ 'eks.amazonaws.com/nodegroup': 'ng' }), 'eks', /label eks\.amazonaws\.com\/nodegroup/],
      [node({ 'cloud.google.com/gke-nodepool': 'p' }), 'gke', /label cloud\.google\.com\/gke-nodepool/],
      [node({ 'kubernetes.io/os': 'linux' }, 'aws:///eu-west-1a/i-1'), 'kubernetes', /no distribution marker/],
    ];
    for (const [n, distribution, evidence] of cases) {
      const detection = detect(version, [n]);
      assert.equal(detection.distribution, distribution, JSON.stringify(n));
      assert.match(detection.evidence.join('\n'), evidence);
    }
  });
  it("k3s's recorded argv: a flag with its value, or the value as its own element; the last one wins", async () => {
    const { anonymousAuthFromNodeArgs } = await import('../../src/kube/detect.js');
    assert.equal(anonymousAuthFromNodeArgs(JSON.stringify(['server', '--kube-apiserver-arg', 'anonymous-auth=false'])), false);
    assert.equal(anonymousAuthFromNodeArgs(JSON.stringify(['server', '--kube-apiserver-arg=anonymous-auth=true'])), true);
    assert.equal(anonymousAuthFromNodeArgs(JSON.stringify(['--kube-apiserver-arg=anonymous-auth=true', '--kube-apiserver-arg', 'anonymous-auth=false'])), false);
    assert.equal(anonymousAuthFromNodeArgs(JSON.stringify(['server', '--kube-apiserver-arg'])), undefined);
    assert.equal(anonymousAuthFromNodeArgs('not json'), undefined);
  });
});

describe('which jwks_uri hosts deserve a warning', () => {
  it('carrier-grade NAT is 100.64.0.0/10 exactly', async () => {
    const { looksInternal } = await import('../../src/kube/discovery.js');
    assert.match(looksInternal('100.64.0.1') ?? '', /overlay/);
    assert.match(looksInternal('100.127.255.1') ?? '', /overlay/);
    for (const host of ['100.63.0.1', '100.128.0.1', '101.64.0.1', '99.100.0.1']) assert.equal(looksInternal(host), undefined, host);
  });
});
