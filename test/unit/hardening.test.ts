import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { connect, kubeconfigFiles, mergeFirstWins } from '../../src/kube/connect.js';
import { kubernetesVersion } from '../../src/kube/version.js';
import { LogTooLarge, scanLog, scanLogCommand, scanLogFile } from '../../src/minio/log-reader.js';
import { assertMinio, NotMinioError } from '../../src/minio/recognise.js';
import { runProbe, type S3Operations } from '../../src/minio/s3-probe.js';
import { anonymousGet, classifyNetworkError } from '../../src/net.js';
import { setNetworkTimeout } from '../../src/timeout.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EMPTY_PROFILE, resolveSettings } from '../../src/profile.js';
import { parseProfile } from '../../src/profile-file.js';
import * as v from '../../src/validate.js';
import { scratchDir } from '../helpers/scratch.js';

const ARN = 'arn:minio:iam:::role/oxnUw3DAuQF1uggjXGxI2AmW8IA';

describe('validators refuse hostile values by what they are', () => {
  it('a config URL has a plain host and path, no credentials, query or fragment', () => {
    for (const bad of [
      'https://x/$(id)/.well-known/openid-configuration',
      "https://a'b/.well-known/openid-configuration",
      'https://a$(id)b:6443/.well-known/openid-configuration',
      'https://a;b/.well-known/openid-configuration',
      'https://user:pw@host/.well-known/openid-configuration',
      'https://host/.well-known/openid-configuration?x=1',
      'https://host/.well-known/openid-configuration#frag',
      'https://host/.well-known/openid-configuration?',
      'https://host/a b/.well-known/openid-configuration',
      'https://host/a\u2028b/.well-known/openid-configuration',
    ]) {
      assert.throws(() => v.configUrl(bad), v.InvalidValue, bad);
    }
    assert.equal(v.configUrl('https://[fd00::1]:6443/k8s/.well-known/openid-configuration'), 'https://[fd00::1]:6443/k8s/.well-known/openid-configuration');
    assert.equal(v.configUrl('https://host/a`b/.well-known/openid-configuration'), 'https://host/a%60b/.well-known/openid-configuration', 'what URL parsing percent-encodes is harmless');
  });
  it('an S3 endpoint host is a host', () => {
    for (const bad of ['https://a$(id)b:9000', "https://a'b", 'https://a;b', 'https://a&b', 'https://u:p@host:9000']) assert.throws(() => v.s3Endpoint(bad), v.InvalidValue, bad);
  });
  it('a client id is not free text', () => {
    for (const bad of ['a b', 'a$b', 'a#b', 'a"b', "a'b", 'a\\b', 'a;b', 'a|b', 'a&b', 'a,b', 'a`b', '-x', 'é', 'a\nb', 'x'.repeat(256)]) assert.throws(() => v.clientId(bad), v.InvalidValue, bad);
    for (const good of ['sts.amazonaws.com', 'https://minio.example.com', 'minio:k8s', 'a_b-c~d@e+f=g']) assert.equal(v.clientId(good), good);
  });
  it('prefixes and paths are plain segments', () => {
    for (const bad of ['a"b', 'a\\b', "a'b", 'a b', 'a\u2028b/', 'a\u0085b', '${jwt:sub}', 'a*', 'a?', '../x', 'a/./b', 'a//b']) assert.throws(() => v.prefix(bad), v.InvalidValue, bad);
    assert.equal(v.prefix('/apps/sqlite'), 'apps/sqlite/');
    assert.equal(v.prefix('apps/'), 'apps/');
    for (const bad of ['/db/a\u2028b.db', '/db/a"b', '/app.db', 'db/app.db', '/db/../x', '/db//x', '/db/x y']) assert.throws(() => v.absolutePath(bad), v.InvalidValue, bad);
    for (const bad of ['/var/run/a\u0085b/token', '/token', '/a/$(id)']) assert.throws(() => v.tokenPath(bad), v.InvalidValue, bad);
  });
  it('names must be strings: YAML booleans and numbers are refused, not renamed', () => {
    for (const bad of [true, false, 123, null, ['a'], { a: 1 }]) assert.throws(() => v.dns1123Subdomain(bad), /must be a string/, String(bad));
    assert.throws(() => v.dns1123Label(true), /not the boolean true \(quote it in YAML: 'true'\)/);
  });
  it('numbers are decimal digits only', () => {
    assert.equal(v.decimalInteger('15', 1, 600), 15);
    assert.equal(v.decimalInteger(' 15 ', 1, 600), 15);
    for (const bad of ['0x10', '1e4', '15.0', '+15', '-1', '', 'Infinity', '١٥', 15.5]) assert.throws(() => v.decimalInteger(bad, 1, 600), v.InvalidValue, String(bad));
    assert.throws(() => v.decimalInteger('601', 1, 600), /must be from 1 to 600/);
  });
  it('values quoted back in errors are printable', () => {
    assert.throws(() => v.dns1123Label('a\x1b[31mb'), (error: Error) => !error.message.includes('\x1b') && error.message.includes('\\x1b'));
  });
  it('~ in a kubeconfig path is expanded as the README example needs', () => {
    assert.equal(v.homePath('~/.kube/config', '/home/me'), '/home/me/.kube/config');
    assert.equal(v.homePath('/etc/k3s.yaml', '/home/me'), '/etc/k3s.yaml');
    assert.equal(v.homePath('~other/x', '/home/me'), '~other/x');
  });
});

describe('profile', () => {
  it('refuses non-strings where a name is expected', async () => {
    const profile = parseProfile('workload:\n  serviceAccount: true\n  namespace: 123\n', 'p.yaml');
    await assert.rejects(resolveSettings(['serviceAccount'], {}, profile), /p\.yaml:2 workload\.serviceAccount: must be a string, not the boolean true/);
    await assert.rejects(resolveSettings(['namespace'], {}, profile), /p\.yaml:3 workload\.namespace: must be a string, not the number 123/);
  });
  it('resolves aliases', async () => {
    const profile = parseProfile('minio:\n  clientId: &aud sts.example.com\n  endpoint: https://m:9000\nworkload:\n  serviceAccount: *aud\n', 'p.yaml');
    const settings = await resolveSettings(['clientId', 'serviceAccount'], {}, profile);
    assert.deepEqual(settings, { clientId: 'sts.example.com', serviceAccount: 'sts.example.com' });
    assert.deepEqual(await resolveSettings(['namespace'], {}, EMPTY_PROFILE), { namespace: 'default' });
  });
  it('says "several documents" in words, and limits alias expansion', () => {
    assert.throws(() => parseProfile('version: 1\n---\nversion: 1\n', 'p.yaml'), /p\.yaml holds several YAML documents/);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefghij'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(', ')}]`), 'kube: *j'].join('\n');
    assert.throws(() => parseProfile(bomb, 'p.yaml'), /p\.yaml/);
  });
  it('an unknown section or key with control characters is shown printable', () => {
    assert.throws(() => parseProfile('"\\e[31mx": 1\n', 'p.yaml'), (error: Error) => !error.message.includes('\x1b'));
  });
});

describe('kubeconfig files as kubectl finds them', () => {
  const dir = scratchDir('irsa-kc-');
  writeFileSync(join(dir, 'a'), '');
  writeFileSync(join(dir, 'b'), '');
  it('skips missing files in KUBECONFIG and does not touch process.env', () => {
    const before = process.env['KUBECONFIG'];
    assert.deepEqual(kubeconfigFiles({}, { KUBECONFIG: `${join(dir, 'missing')}:${join(dir, 'a')}::${join(dir, 'b')}` }), [join(dir, 'a'), join(dir, 'b')]);
    assert.equal(process.env['KUBECONFIG'], before);
    assert.throws(() => kubeconfigFiles({}, { KUBECONFIG: join(dir, 'missing') }), /KUBECONFIG names no existing file/);
    assert.deepEqual(kubeconfigFiles({ kubeconfig: join(dir, 'a') }, { KUBECONFIG: join(dir, 'b') }), [join(dir, 'a')]);
  });
  it('connect() loads KUBECONFIG=a:b like kubectl: first file to set a value wins, env untouched', async () => {
    const config = (server: string, context: string) =>
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "${server}"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: ${context}, context: {cluster: c, user: u}}, {name: shared, context: {cluster: c, user: u}}]\ncurrent-context: ${context}\n`;
    writeFileSync(join(dir, 'first'), config('https://first:6443', 'one'));
    writeFileSync(join(dir, 'second'), config('https://second:6443', 'two'));
    const before = process.env['KUBECONFIG'];
    process.env['KUBECONFIG'] = `${join(dir, 'first')}:${join(dir, 'nope')}:${join(dir, 'second')}`;
    try {
      const connection = await connect({});
      assert.equal(connection.context, 'one', "the first file's current-context wins");
      assert.equal(connection.server, 'https://first:6443', 'the first definition of cluster "c" wins');
      assert.deepEqual(connection.kc.getContexts().map((c) => c.name).sort(), ['one', 'shared', 'two']);
      assert.equal((await connect({ context: 'two' })).server, 'https://first:6443');
      assert.equal(process.env['KUBECONFIG'], `${join(dir, 'first')}:${join(dir, 'nope')}:${join(dir, 'second')}`, 'process.env untouched');
    } finally {
      if (before === undefined) delete process.env['KUBECONFIG'];
      else process.env['KUBECONFIG'] = before;
    }
    await assert.rejects(connect({ kubeconfig: '/dev/zero' }), /kubeconfig \/dev\/zero is larger than 16 MiB/);
  });
  it('merges with the first definition of a name winning', () => {
    const merged = mergeFirstWins([
      [{ name: 'x', from: 1 }, { name: 'y', from: 1 }],
      [{ name: 'x', from: 2 }, { name: 'z', from: 2 }],
    ]);
    assert.deepEqual(merged, [{ name: 'x', from: 1 }, { name: 'y', from: 1 }, { name: 'z', from: 2 }]);
  });
});

describe('recognising what answers', () => {
  it('a kube-apiserver /version, and what is not one', () => {
    assert.deepEqual(kubernetesVersion({ gitVersion: 'v1.34.4+k3s1', major: '1', minor: '34', platform: 'linux' }, 's'), { gitVersion: 'v1.34.4+k3s1', major: '1', minor: '34' });
    assert.deepEqual(kubernetesVersion({ gitVersion: 'v1.30.2-eks-1', major: '1', minor: '30+' }, 's').minor, '30+');
    // Every field must hold: one good field does not vouch for a bad one.
    for (const bad of [{ gitVersion: 'v1.34.4', major: 1, minor: '34' }, { gitVersion: 'v1.34.4', major: 'x', minor: '34' }, { gitVersion: 'v1.34.4', major: '1', minor: 34 }, { gitVersion: 'v1.34.4', major: '1', minor: 'x' }]) {
      assert.throws(() => kubernetesVersion(bad, 's'), /s is not a Kubernetes API server: its \/version answer \(\{"gitVersion"/, JSON.stringify(bad));
    }
    assert.throws(() => kubernetesVersion('<html>', 's'), /answer \(<html>\)/);
    for (const body of [{}, undefined, '<html>ok</html>', { gitVersion: 'undefined' }, { gitVersion: 'v1.2.3' }]) {
      assert.throws(() => kubernetesVersion(body, 'https://x:6443'), /https:\/\/x:6443 is not a Kubernetes API server/);
    }
  });
  it('MinIO by its headers; a console or web page is not MinIO', () => {
    assert.doesNotThrow(() => assertMinio({ status: 403, headers: { server: 'MinIO' }, body: Buffer.from('') }, 'e'));
    assert.doesNotThrow(() => assertMinio({ status: 200, headers: { 'x-amz-request-id': '17A' }, body: Buffer.from('') }, 'e'));
    assert.throws(() => assertMinio({ status: 200, headers: { server: 'nginx', 'content-type': 'text/html; charset=utf-8' }, body: Buffer.from('<html>') }, 'http://x:9001'), (error: unknown) => error instanceof NotMinioError && /http:\/\/x:9001 is not MinIO's S3 API \(it answered HTTP 200, Server: nginx, text\/html\)/.test((error as Error).message) && /console/.test((error as NotMinioError).hint ?? ''));
  });
  it('network errors in words, with the CA flag of the peer', () => {
    const proto = classifyNetworkError('https://x:9000/', Object.assign(new Error('write EPROTO 4037:error:0A00010B:SSL routines:ssl3_get_record:wrong version number'), { code: 'EPROTO' }), 1000);
    assert.equal(proto.message, 'x:9000 speaks plain HTTP, not HTTPS');
    const tls = { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' };
    assert.match(classifyNetworkError('https://m:9000/', tls, 1000, 'minio').hint ?? '', /--minio-ca-file/);
    assert.doesNotMatch(classifyNetworkError('https://k:6443/', tls, 1000, 'apiserver').hint ?? '', /--minio-ca-file/);
    assert.equal(classifyNetworkError('https://k:6443/', { name: 'AbortError', code: 'ABORT_ERR' }, 2000).kind, 'timeout');
  });
});

describe('HTTP answers are bounded', () => {
  it('a discovery answer far larger than any discovery document is cut off', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let sent = 0;
      const pump = () => {
        while (sent < 8 << 20 && res.write(chunk)) sent += chunk.length;
        if (sent < 8 << 20) res.once('drain', pump);
        else res.end();
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      await assert.rejects(anonymousGet(`http://127.0.0.1:${port}/.well-known/openid-configuration`, undefined), /is larger than 1 MiB \(stopped reading\)/);
    } finally {
      server.close();
    }
  });
  it('the deadline covers the whole operation: a second request gets only what is left', async () => {
    const server = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    setNetworkTimeout(1000);
    const started = Date.now();
    try {
      await assert.rejects(anonymousGet(`http://127.0.0.1:${port}/a`, undefined), /no answer from/);
      await assert.rejects(anonymousGet(`http://127.0.0.1:${port}/b`, undefined), /no answer from/);
      assert.ok(Date.now() - started < 1800, `two requests took ${Date.now() - started} ms with a 1 s deadline`);
    } finally {
      setNetworkTimeout(15_000);
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('MinIO logs, line by line', () => {
  it('reads the last IAM Roles line from a stream of any chunking', async () => {
    const log = `start\nIAM Roles: arn:minio:iam:::role/old\nrestart\nINFO: IAM Roles: ${ARN}\nAPI: x\n`;
    for (const size of [1, 3, 7, 1000]) {
      const chunks = log.match(new RegExp(`[^]{1,${size}}`, 'g')) ?? [];
      assert.deepEqual((await scanLog(Readable.from(chunks.map((c) => Buffer.from(c))))).roles, [ARN], `chunk size ${size}`);
    }
  });
  it('keeps the last 50 matching lines, each once, from text or bytes, without a phantom empty line', async () => {
    const lines = Array.from({ length: 60 }, (_, i) => `line ${i + 1}`);
    const scan = await scanLog(Readable.from([`${lines.join('\n')}\n`]), 1 << 20, /^line/);
    assert.deepEqual(scan.kept, lines.slice(10));
    assert.deepEqual((await scanLog(Readable.from(['a\r\n', 'b\n']), 1 << 20, /.*/)).kept, ['a', 'b'], 'a chunk ending a line adds no empty line');
    assert.deepEqual((await scanLog(Readable.from(['a\nb']), 1 << 20, /.*/)).kept, ['a', 'b'], 'the last line needs no newline');
    assert.deepEqual((await scanLog(Readable.from([`IAM Roles: ${ARN}\n`]))).roles, [ARN], 'string chunks');
  });
  it('takes a log of exactly the limit, refuses one byte more', async () => {
    assert.equal((await scanLog(Readable.from([Buffer.alloc(1000, 'x'), Buffer.from('\n')]), 1001)).bytes, 1001);
    await assert.rejects(scanLog(Readable.from([Buffer.alloc(1001, 'x'), Buffer.from('\n')]), 1001), LogTooLarge);
  });
  it('a line without end does not fill memory, and a total cap stops an endless log', async () => {
    async function* endless(): AsyncGenerator<Buffer> {
      const zeros = Buffer.alloc(1 << 20);
      for (;;) yield zeros;
    }
    await assert.rejects(scanLog(endless(), 8 << 20), LogTooLarge);
    const before = process.memoryUsage().rss;
    async function* longLine(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 64; i++) yield Buffer.alloc(1 << 20, 'x');
      yield Buffer.from(`\nIAM Roles: ${ARN}\n`);
    }
    assert.deepEqual((await scanLog(longLine())).roles, [ARN]);
    assert.ok(process.memoryUsage().rss - before < 48 << 20, 'a 64 MiB line must not be held whole');
  });
  it('a missing log file is a usage error in words', async () => {
    await assert.rejects(scanLogFile('/nonexistent.log'), /cannot read --from-logs \/nonexistent\.log: no such file/);
  });
  it('--from-command: its deadline stops it and what it started', async () => {
    const started = Date.now();
    await assert.rejects(scanLogCommand('sleep 100; echo late', 800), /did not finish within 1 s and was stopped/);
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });
  it('--from-command: a failing command is reported with its exit status and stderr, even if it printed', async () => {
    await assert.rejects(scanLogCommand(`echo 'IAM Roles: ${ARN}'; echo 'error: pods "minio" not found' >&2; exit 3`, 5000), /failed \(exit 3\): error: pods "minio" not found/);
    assert.deepEqual((await scanLogCommand(`echo 'IAM Roles: ${ARN}'`, 5000)).roles, [ARN]);
  });
});

describe('the S3 probe judges both directions', () => {
  const input = { bucket: 'apps', ownPrefix: 'system:serviceaccount:apps:web/', foreignPrefix: 'elsewhere/' };
  const denied = () => Promise.reject(Object.assign(new Error('Access Denied.'), { code: 'AccessDenied' }));
  function s3(policy: (key: string) => boolean): S3Operations {
    const store = new Map<string, Buffer>();
    return {
      listBuckets: () => denied(),
      putObject: async (_b, key, body) => (policy(key) ? void store.set(key, body) : denied()),
      getObject: async (_b, key) => (policy(key) ? (store.get(key) ?? Buffer.alloc(0)) : denied()),
      removeObject: async (_b, key) => (policy(key) ? void store.delete(key) : denied()),
    };
  }
  it('least privilege: own prefix works, elsewhere denied — no failure', async () => {
    const steps = await runProbe(s3((key) => key.startsWith(input.ownPrefix)), input);
    assert.deepEqual(steps.map((s) => s.status), ['denied', 'ok', 'ok', 'ok', 'ok']);
  });
  it('a broad policy (writing elsewhere works) fails the probe', async () => {
    const steps = await runProbe(s3(() => true), input);
    assert.equal(steps.at(-1)?.status, 'fail');
    assert.match(steps.at(-1)?.message ?? '', /allowed, but the policy must deny it/);
  });
  it('being denied in its own prefix fails the probe', async () => {
    const steps = await runProbe(s3(() => false), input);
    assert.equal(steps[1]?.status, 'fail');
    assert.match(steps[1]?.message ?? '', /AccessDenied in the workload's own prefix/);
    assert.deepEqual(steps.map((s) => s.status), ['denied', 'fail', 'ok'], 'no read or delete of an object never written');
  });
  it('writes outside into the other bucket when there is one, and removes what it could write there', async () => {
    const writes: string[] = [];
    const objects = new Set<string>();
    const open: S3Operations = {
      listBuckets: async () => 1,
      putObject: async (bucket, key) => void (writes.push(bucket), objects.add(`${bucket}/${key}`)),
      getObject: async () => Buffer.alloc(0),
      removeObject: async (bucket, key) => void objects.delete(`${bucket}/${key}`),
    };
    const steps = await runProbe(open, { ...input, foreignBucket: 'nobodys' });
    assert.deepEqual(writes, ['apps', 'nobodys']);
    assert.match(steps.at(-1)?.step ?? '', /^put outside its own place: nobodys\/elsewhere\//);
    assert.deepEqual([...objects], [], 'the probe leaves no object behind');
    assert.deepEqual(steps.map((s) => s.status), ['ok', 'ok', 'fail', 'ok', 'fail'], 'list, put, the read-back differs (a failure), delete, the write outside allowed (a failure)');
  });
});

describe('where the probe writes', () => {
  it('own bucket and a bucket of nobody\'s, or <prefix><sub>/ and another prefix', async () => {
    const { probePlaces } = await import('../../src/minio/s3-probe.js');
    const bucket = probePlaces('bucket', 'db/', 'system:serviceaccount:a:b');
    assert.equal(bucket.ownPrefix, 'db/');
    assert.match(bucket.foreignBucket ?? '', /^minio-irsa-elsewhere-/);
    assert.deepEqual(probePlaces('prefix', 'db/', 'system:serviceaccount:a:b'), { ownPrefix: 'db/system:serviceaccount:a:b/', foreignPrefix: 'db/minio-irsa-elsewhere/' });
  });
});
