import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { clockSkewSeconds, notLoadedCauses } from '../../src/checks/minio.js';
import { runChecks, type Check } from '../../src/checks/types.js';
import { escapedPods, inspectPodSpec, parseWorkloadRef } from '../../src/checks/workload.js';
import { CHAIN, doctorReport, linkStatus, streamingPrinter } from '../../src/ui/doctor-report.js';

// doctor's decisions, in seconds: skips and retries, the chain picture, causes, clocks.

describe('the check runner', () => {
  const check = (id: string, result: 'ok' | 'warn' | 'fail', requires: string[] = [], extra: Partial<Check<object>> = {}): Check<object> => ({
    id,
    category: 'C',
    description: id,
    requires,
    run: async () => ({ status: result, message: result }),
    ...extra,
  });
  it('a check whose prerequisite failed is skipped, never failed twice; a warning does not block', async () => {
    const outcomes = await runChecks([check('a', 'fail'), check('b', 'ok', ['a']), check('c', 'warn'), check('d', 'ok', ['c']), check('e', 'ok', ['b'])], {});
    assert.deepEqual(outcomes.map((o) => [o.id, o.status]), [['a', 'fail'], ['b', 'skip'], ['c', 'warn'], ['d', 'ok'], ['e', 'skip']]);
    assert.match(outcomes[1]?.message ?? '', /skipped: needs "a"/);
  });
  it('--skip and unavailable inputs skip with the reason; thrown errors become failures', async () => {
    const outcomes = await runChecks(
      [check('a', 'ok', [], { unavailable: () => 'pass --x' }), check('b', 'ok'), check('c', 'ok', [], { run: async () => Promise.reject(new Error('boom')) })],
      {},
      { skip: new Set(['b']) },
    );
    assert.deepEqual(outcomes.map((o) => [o.status, o.message]), [['skip', 'skipped: pass --x'], ['skip', 'skipped: --skip'], ['fail', 'unexpected failure: boom']]);
  });
  it('--wait retries a retryable failure until it passes, not the others', async () => {
    let calls = 0;
    let plain = 0;
    const outcomes = await runChecks(
      [
        check('flaky', 'ok', [], { retryable: true, run: async () => ({ status: ++calls < 2 ? 'fail' : 'ok', message: String(calls) }) }),
        check('fixed', 'ok', [], { run: async () => ({ status: 'fail', message: String(++plain) }) }),
      ],
      {},
      { waitMs: 5000 },
    );
    assert.deepEqual(outcomes.map((o) => o.status), ['ok', 'fail']);
    assert.equal(calls, 2);
    assert.equal(plain, 1);
  });
});

describe('the check runner, at its edges', () => {
  const check = (id: string, result: 'ok' | 'fail', extra: Partial<Check<object>> = {}): Check<object> => ({ id, category: 'C', description: `the ${id} check`, run: async () => ({ status: result, message: result }), ...extra });
  it('a skip names the prerequisite by its description; a prerequisite not in the run does not block', async () => {
    const outcomes = await runChecks([check('a', 'fail'), check('b', 'ok', { requires: ['a'] }), check('c', 'ok', { requires: ['filtered-out'] })], {});
    assert.deepEqual(outcomes.map((o) => [o.status, o.message]), [['fail', 'fail'], ['skip', 'skipped: needs "the a check"'], ['ok', 'ok']]);
  });
  it('without --wait a retryable failure is tried once, even within the same millisecond', async () => {
    mock.timers.enable({ apis: ['Date'] });
    try {
      let calls = 0;
      const outcomes = await runChecks([check('flaky', 'ok', { retryable: true, run: async () => ({ status: ++calls < 2 ? 'fail' : 'ok', message: '' }) })], {});
      assert.equal(calls, 1);
      assert.equal(outcomes[0]?.status, 'fail');
    } finally {
      mock.timers.reset();
    }
  });
});

describe('the printed report', () => {
  const outcome = (id: string, status: 'ok' | 'fail', critical = false) => ({ id, status, category: 'MinIO', description: id, message: `${id} said ${status}`, durationMs: 1, ...(critical ? { critical } : {}) });
  const printed = (print: () => void): string => {
    const written: string[] = [];
    const write = mock.method(process.stderr, 'write', (text: string) => (written.push(text), true));
    try {
      print();
    } finally {
      write.mock.restore();
    }
    return written.join('');
  };
  it('CRITICAL heads the report for a failed critical check only', () => {
    const text = printed(() => doctorReport([outcome('minio.forgery', 'fail', true), outcome('minio.admin', 'fail'), outcome('minio.policy', 'ok', true)]).print());
    assert.deepEqual(text.split('\n').filter((line) => line.startsWith('CRITICAL')), ['CRITICAL: minio.forgery said fail']);
  });
  it('after streaming, only the CRITICAL lines, the picture and the summary are printed', () => {
    const report = doctorReport([outcome('minio.admin', 'ok')]);
    const whole = printed(() => report.print());
    const streamed = printed(() => report.print({ streamed: true }));
    assert.match(whole, /minio\.admin said ok/);
    assert.doesNotMatch(streamed, /minio\.admin said ok/);
    assert.ok(whole.indexOf('workload') < whole.indexOf('MinIO\n'), 'the picture before the details');
    assert.match(streamed, /workload.*\n\nall checks passed/);
  });
});

describe('the chain picture', () => {
  const outcome = (id: string, status: 'ok' | 'warn' | 'fail' | 'skip') => ({ id, status, category: 'C', description: id, message: '', durationMs: 1 });
  it('a link is as bad as its worst check that ran; all skipped is "-"', () => {
    assert.equal(linkStatus([outcome('a', 'ok'), outcome('b', 'warn')], ['a', 'b']), 'warn');
    assert.equal(linkStatus([outcome('a', 'ok'), outcome('b', 'fail'), outcome('c', 'warn')], ['a', 'b', 'c']), 'fail');
    assert.equal(linkStatus([outcome('a', 'skip'), outcome('b', 'ok')], ['a', 'b']), 'ok');
    assert.equal(linkStatus([outcome('a', 'skip')], ['a']), 'skip');
  });
  it('every check id in the chain exists in docs/checks.md, and the report counts and links each', async () => {
    const { readFile } = await import('node:fs/promises');
    const docs = await readFile(new URL('../../docs/checks.md', import.meta.url), 'utf8');
    for (const id of CHAIN.flatMap((link) => link.checks)) assert.match(docs, new RegExp(`^### ${id.replace('.', '\\.')}$`, 'm'), id);
    const report = doctorReport([outcome('kube.connect', 'ok'), outcome('minio.forgery', 'fail')]);
    assert.equal(report.json.success, false);
    assert.deepEqual(report.json.counts, { ok: 1, warn: 0, fail: 1, skip: 0 });
    assert.equal(report.json.chain.find((l) => l.link === 'MinIO STS')?.status, 'fail');
    assert.equal(report.json.categories[0]?.checks[0]?.docs, 'docs/checks.md#kubeconnect');
  });
});

describe('why a provider did not load', () => {
  it('prefers the line that names the reason over "waiting"', () => {
    const lines = ['INFO: Unable to initialize OpenID: Get "https://x/.well-known/openid-configuration": x509: certificate signed by unknown authority', 'INFO: Waiting for OpenID to be initialized.. (retrying in 1s)'];
    assert.match(notLoadedCauses(lines, {})[0] ?? '', /MinIO's log says: .*x509/);
    assert.match(notLoadedCauses(['INFO: Waiting for OpenID to be initialized..'], {})[0] ?? '', /Waiting/);
    assert.deepEqual(notLoadedCauses([], {}), []);
    assert.match(notLoadedCauses([], { clientIdMismatch: 'its client id is "a"' }).join(), /client id is "a"/);
  });
});

describe('clock skew', () => {
  const at = Date.parse('2026-01-01T00:00:10Z');
  it('one-second Date headers and latency are not skew; beyond 2 s it is, with its sign', () => {
    assert.equal(clockSkewSeconds(at, at + 400, at + 1500), 0, 'a header stamped in the same second, read 1.5 s later');
    assert.equal(clockSkewSeconds(at, at + 100, at + 200), 0);
    assert.equal(clockSkewSeconds(at + 10_000, at, at + 100), 9, 'MinIO ahead');
    assert.equal(clockSkewSeconds(at - 10_000, at, at + 100), -9, 'MinIO behind');
    // Exactly at the tolerance is still within it.
    assert.equal(clockSkewSeconds(at + 2000, at, at), 0);
    assert.equal(clockSkewSeconds(at - 2999, at, at), 0);
    assert.equal(clockSkewSeconds(at + 2001, at, at), 2);
    assert.equal(clockSkewSeconds(at - 3000, at, at), -2);
  });
});

describe('a workload\'s wiring, judged from its pod spec', () => {
  const good = () => ({
    containers: [
      {
        name: 'app',
        image: 'amazon/aws-cli',
        env: [
          { name: 'AWS_ROLE_ARN', value: 'arn:minio:iam:::role/x' },
          { name: 'AWS_WEB_IDENTITY_TOKEN_FILE', value: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token' },
          { name: 'AWS_ENDPOINT_URL_STS', value: 'https://minio:9000' },
          { name: 'AWS_ENDPOINT_URL_S3', value: 'https://minio:9000' },
          { name: 'AWS_REGION', value: 'us-east-1' },
        ],
        volumeMounts: [{ name: 'tok', mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount', readOnly: true }],
      },
    ],
    volumes: [{ name: 'tok', projected: { sources: [{ serviceAccountToken: { audience: 'sts.amazonaws.com', expirationSeconds: 3600, path: 'token' } }] } }],
  });
  const expected = { clientId: 'sts.amazonaws.com', roleArn: 'arn:minio:iam:::role/x', endpoint: 'https://minio:9000' };
  it('the rendered wiring passes', () => {
    assert.deepEqual(inspectPodSpec(good(), expected), { problems: [], warnings: [], containers: ['app'] });
  });
  it('names each way to break it', () => {
    const cases: [(spec: ReturnType<typeof good>) => void, RegExp][] = [
      [(s) => s.containers[0]?.env.push({ name: 'AWS_ACCESS_KEY_ID', value: 'AKIA' }), /AWS_ACCESS_KEY_ID is set: static keys silently win/],
      [(s) => s.containers[0]?.env.push({ name: 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', value: 'true' }), /ignore the MinIO endpoints/],
      [(s) => ((s.volumes[0] as { projected: { sources: { serviceAccountToken: { audience: string } }[] } }).projected.sources[0]!.serviceAccountToken.audience = 'other'), /audience is "other", but MinIO's client id is "sts\.amazonaws\.com"/],
      [(s) => ((s.volumes[0] as { projected: { sources: { serviceAccountToken: { expirationSeconds: number } }[] } }).projected.sources[0]!.serviceAccountToken.expirationSeconds = 300), /lives 300 s/],
      [(s) => s.containers[0]!.env.splice(0, 1, { name: 'AWS_ROLE_ARN', value: 'arn:minio:iam:::role/y' }), /AWS_ROLE_ARN is arn:minio:iam:::role\/y, but MinIO's role is/],
      [(s) => s.containers[0]!.env.splice(2, 1), /no AWS_ENDPOINT_URL_STS: the SDK sends it to AWS/],
      [(s) => (s.containers[0]!.volumeMounts = []), /nothing is mounted at \/var\/run\/secrets\/eks\.amazonaws\.com\/serviceaccount/],
      [(s) => (s.containers[0]!.env = []), /no container uses web identity/],
    ];
    for (const [breakIt, pattern] of cases) {
      const spec = good();
      breakIt(spec);
      assert.match(inspectPodSpec(spec, expected).problems.join('\n'), pattern, String(pattern));
    }
  });
  it('warns where it cannot see or where a client ignores a setting', () => {
    const spec = good();
    spec.containers[0]!.env.splice(4, 1);
    (spec.containers[0] as { envFrom?: unknown[] }).envFrom = [{ secretRef: { name: 's' } }];
    spec.containers[0]!.image = 'litestream/litestream:0.5';
    spec.containers[0]!.env.push({ name: 'AWS_CA_BUNDLE', value: '/ca.pem' });
    const { problems, warnings } = inspectPodSpec(spec, expected);
    assert.deepEqual(problems, []);
    assert.match(warnings.join('\n'), /no AWS_REGION[\s\S]*envFrom may bring static keys[\s\S]*ignores AWS_CA_BUNDLE/);
    assert.deepEqual(inspectPodSpec(good(), { ...expected, roleArn: undefined }).problems, [], 'bucket isolation: any role ARN');
  });
  it('boundaries and exact words: 600 s is enough, a half-wired container is judged, AWS_CA_BUNDLE matters only to litestream', () => {
    const at600 = good();
    (at600.volumes[0] as { projected: { sources: { serviceAccountToken: { expirationSeconds: number } }[] } }).projected.sources[0]!.serviceAccountToken.expirationSeconds = 600;
    assert.deepEqual(inspectPodSpec(at600, expected).problems, []);
    const roleOnly = good();
    roleOnly.containers[0]!.env.splice(1, 1);
    assert.match(inspectPodSpec(roleOnly, expected).problems.join('\n'), /container app: no AWS_WEB_IDENTITY_TOKEN_FILE/);
    const tokenOnly = good();
    tokenOnly.containers[0]!.env.splice(0, 1);
    assert.match(inspectPodSpec(tokenOnly, expected).problems.join('\n'), /container app: no AWS_ROLE_ARN/);
    const elsewhere = good();
    elsewhere.containers[0]!.env[2] = { name: 'AWS_ENDPOINT_URL_STS', value: 'https://other:9000' };
    assert.deepEqual(inspectPodSpec(elsewhere, expected).warnings, ['container app: AWS_ENDPOINT_URL_STS is https://other:9000, not https://minio:9000']);
    const ignoring = good();
    ignoring.containers[0]!.env.push({ name: 'AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', value: 'true' });
    assert.deepEqual(inspectPodSpec(ignoring, expected).problems, ['container app: AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true makes the SDK ignore the MinIO endpoints']);
    const bundle = good();
    bundle.containers[0]!.env.push({ name: 'AWS_CA_BUNDLE', value: '/ca.pem' });
    assert.deepEqual(inspectPodSpec(bundle, expected).warnings, [], 'the aws CLI honours AWS_CA_BUNDLE');
    const litestream = good();
    litestream.containers[0]!.name = 'litestream';
    assert.deepEqual(inspectPodSpec(litestream, expected).warnings, [], 'litestream without AWS_CA_BUNDLE: nothing to say');
  });
  it('parses workload references', () => {
    assert.deepEqual(parseWorkloadRef('apps/web'), { kind: 'pod', namespace: 'apps', name: 'web' });
    assert.deepEqual(parseWorkloadRef('Deployment/apps/web'), { kind: 'deployment', namespace: 'apps', name: 'web' });
    assert.throws(() => parseWorkloadRef('web'), /NAMESPACE\/NAME/);
  });
});

describe('ordering without dependence', () => {
  it('"after" waits for a check whatever its result, and does not skip on its failure', async () => {
    const order: string[] = [];
    const outcomes = await runChecks(
      [
        { id: 'later', category: 'C', description: 'later', after: ['first'], run: async () => (order.push('later'), { status: 'ok', message: '' }) },
        { id: 'first', category: 'C', description: 'first', run: async () => (order.push('first'), { status: 'fail', message: '' }) },
      ],
      {},
    );
    assert.deepEqual(order, ['first', 'later']);
    assert.deepEqual(outcomes.map((o) => o.status), ['ok', 'fail']);
  });
});

describe('doctor streaming printer', () => {
  it('prints each check once, as soon as every check above it (in report order) has finished, grouped by category', () => {
    const order = [
      { id: 'a', category: 'Kubernetes' },
      { id: 'tls', category: 'TLS and CA' },
      { id: 'b', category: 'Kubernetes' },
      { id: 'c', category: 'MinIO' },
    ];
    const writes: string[] = [];
    const print = streamingPrinter(order, (text) => writes.push(text));
    const outcome = (id: string, category: string) => ({ id, category, description: `check ${id}`, status: 'ok' as const, message: `${id} fine`, durationMs: 1 });
    print(outcome('c', 'MinIO'));
    assert.deepEqual(writes, [], 'c waits for the checks above it');
    print(outcome('b', 'Kubernetes'));
    assert.deepEqual(writes, []);
    print(outcome('a', 'Kubernetes'));
    assert.equal(writes.length, 1);
    assert.match(writes[0] ?? '', /^Kubernetes\n-{10}\n. check a: a fine\n. check b: b fine\n$/);
    print(outcome('tls', 'TLS and CA'));
    assert.equal(writes.length, 2);
    assert.match(writes[1] ?? '', /^\nTLS and CA\n-{10}\n. check tls: tls fine\n\nMinIO\n-----\n. check c: c fine\n$/);
  });
});

describe('pods that escaped the webhook', () => {
  it('names pods of opted-in ServiceAccounts without wiring, not opted-out ones, wired ones or others', () => {
    const wired = { containers: [{ name: 'a', env: [{ name: 'AWS_ROLE_ARN', value: 'x' }] }] };
    const bare = { containers: [{ name: 'a' }] };
    const accounts: { metadata: { name: string; annotations?: Record<string, string> } }[] = [
      { metadata: { name: 'web', annotations: { 'minio-irsa.io/inject': 'true' } } },
      { metadata: { name: 'charted', annotations: { 'eks.amazonaws.com/role-arn': 'arn:minio:iam:::role/x' } } },
      { metadata: { name: 'plain', annotations: { 'minio-irsa.io/inject': 'false' } } },
      { metadata: { name: 'default' } },
    ];
    const pods: Parameters<typeof escapedPods>[0] = [
      { metadata: { name: 'escaped' }, spec: { serviceAccountName: 'web', ...bare } },
      { metadata: { name: 'escaped-eks' }, spec: { serviceAccountName: 'charted', ...bare } },
      { metadata: { name: 'mutated' }, spec: { serviceAccountName: 'web', ...wired } },
      { metadata: { name: 'label-out', labels: { 'minio-irsa.io/webhook': 'disabled' } }, spec: { serviceAccountName: 'web', ...bare } },
      { metadata: { name: 'annotation-out', annotations: { 'minio-irsa.io/inject': 'false' } }, spec: { serviceAccountName: 'web', ...bare } },
      { metadata: { name: 'not-opted' }, spec: { serviceAccountName: 'plain', ...bare } },
      { metadata: { name: 'default-sa' }, spec: { ...bare } },
    ];
    assert.deepEqual(escapedPods(pods, accounts), ['escaped', 'escaped-eks']);
  });
});
