import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { UsageError } from '../../src/errors.js';
import { injectManifests } from '../../src/inject/manifests.js';
import { renderLitestream } from '../../src/render/litestream.js';
import { renderMinioEnv } from '../../src/render/minio-env.js';
import { renderPod } from '../../src/render/pod.js';
import { yamlBlock } from '../../src/render/template.js';
import type { WorkloadSettings } from '../../src/render/workload.js';
import { runCli } from '../helpers/cli.js';
import { goParse } from '../helpers/goyaml.js';
import { ManifestGenerator } from '../helpers/manifest-generator.js';
import { scratchDir } from '../helpers/scratch.js';
import { provision } from '../rig/index.js';

// Every YAML we write, read by Go's YAML parser exactly as kubectl and the apiserver read it
// (YAML 1.1, line breaks at U+0085/U+2028/U+2029), must mean what the JS parser says it means.
// The renderers are fed hostile values directly, past the validators: the encoding alone
// must hold.

function jsParse(text: string): unknown[] {
  return parseAllDocuments(text, { version: '1.1' }).map((doc) => doc.toJS() as unknown).filter((doc) => doc !== null);
}

function sameInGoAndJs(text: string): unknown[] {
  const go = goParse(text);
  assert.deepEqual(go, jsParse(text), text);
  return go;
}

const HOSTILE = ['a\u2028evil: true', 'a\u2029evil: true', 'a\u0085evil: true', 'x\nevil: true', '\u0080\u009f\u007f', 'on', 'no', 'y', '~', '"quoted"', "it's", '#comment', '- item', '{a: 1}', 'tab\tx', '\ufeffbom'];

const injection = { roleArn: 'arn:minio:iam:::role/x', endpoint: 'https://minio.lan:9000', region: 'us-east-1', audience: 'sts.amazonaws.com', tokenPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token', tokenExpiration: 3600 };

const workload: WorkloadSettings = {
  endpoint: 'https://minio.lan:9000',
  region: undefined,
  clientId: 'sts.amazonaws.com',
  roleArn: undefined,
  namespace: 'on',
  serviceAccount: 'no',
  tokenPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token',
  tokenExpiration: 3600,
  isolation: 'prefix',
};

describe("rendered YAML as Go's parser (kubectl, the apiserver) reads it", () => {
  it('every render target through the built CLI', async () => {
    const base = ['--endpoint', 'https://minio.lan:9000', '--service-account', 'no', '--namespace', 'on'];
    for (const args of [
      ['pod', ...base],
      ['litestream', ...base, '--bucket', 'apps', '--prefix', 'y/n', '--app-image', 'nginx:1.27', '--litestream-version', '0.3'],
      ['litestream', ...base, '--bucket', 'apps', '--app-image', 'nginx:1.27', '--db-path', '/data/off.db'],
      ['rbac'],
      ['authn-config', '--api-version', 'v1'],
      ['minio-env', '--config-url', 'https://192.0.2.10:6443/.well-known/openid-configuration', '-o', 'compose'],
      ['minio-env', '--config-url', 'https://192.0.2.10:6443/.well-known/openid-configuration', '-o', 'kubernetes'],
    ]) {
      const result = await runCli(['render', ...args]);
      assert.equal(result.code, 0, result.stderr);
      const docs = sameInGoAndJs(result.stdout) as { kind?: string; metadata?: { namespace?: string }; data?: Record<string, string> }[];
      for (const doc of docs) {
        if (doc.metadata?.namespace !== undefined && args[0] !== 'minio-env') assert.equal(doc.metadata.namespace, 'on', 'YAML 1.1 must not read "on" as true');
        const inner = doc.data?.['litestream.yml'];
        if (inner) {
          const [config] = sameInGoAndJs(inner) as { dbs: unknown[] }[];
          assert.equal(config?.dbs.length, 1);
        }
      }
    }
  });

  it('hostile values in every position stay values', () => {
    for (const value of HOSTILE) {
      // A file ends with a newline; without one, a closing literal block loses its own in Go.
      const text = `${yamlBlock({ [value]: value, list: [value, { name: value }], nested: { multi: `line\n${value}\n` } }, 0)}\n`;
      const [doc] = sameInGoAndJs(text);
      assert.deepEqual(doc, { [value]: value, list: [value, { name: value }], nested: { multi: `line\n${value}\n` } }, JSON.stringify(value));
    }
  });

  it('a hostile db path or prefix cannot add a key to litestream.yml or the manifest', async () => {
    for (const brk of ['\u2028', '\u2029', '\u0085']) {
      const text = await renderLitestream(
        { ...workload, bucket: 'apps', prefix: `p${brk}evil: true/` },
        { name: 'app', appImage: 'nginx', dbPath: `/db/a${brk}evil: true`, litestreamVersion: '0.3', litestreamImage: 'litestream/litestream:0.3.13' },
      );
      const docs = sameInGoAndJs(text) as { kind: string; data?: Record<string, string> }[];
      assert.deepEqual(docs.map((d) => d.kind), ['ServiceAccount', 'ConfigMap', 'StatefulSet']);
      const configMap = docs[1];
      assert.deepEqual(Object.keys(configMap?.data ?? {}), ['litestream.yml']);
      const [config] = sameInGoAndJs(configMap?.data?.['litestream.yml'] ?? '') as { dbs: { path: string; replicas: { path: string }[] }[] }[];
      assert.equal(config?.dbs[0]?.path, `/db/a${brk}evil: true`);
      assert.ok(!('evil' in (config?.dbs[0] ?? {})), 'no key was added');
    }
  });

  it('line-break and control characters: inject writes what Go read of the input, injected, or refuses where Go reads otherwise', async () => {
    const pod = (annotations: string, comment = '') => `${comment}apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n${annotations}spec:\n  containers:\n    - name: app\n      image: nginx\n`;
    let accepted = 0;
    for (const brk of ['\u2028', '\u2029', '\u0085', '\ufeff', '\u009b', '\u007f', '\u0000', '\u001b', '\ufffe']) {
      const values = [`    plain: a${brk}evil\n`, `    "k${brk}x": v\n`, `    k: "v${brk}w"\n`, `    single: 'a${brk}b'\n`, `    spaced: "a ${brk}b"\n`, `    flow: ["a${brk}\tb", {c: "d${brk}"}]\n`, `    folded: "a\n      ${brk}b"\n`];
      for (const manifest of [...values.map((value) => pod(value)), pod('    a: b\n', `# note${brk}evil: true\n`)]) {
        let yaml: string;
        try {
          yaml = (await injectManifests(manifest, 'm.yaml', injection, { allowStaticKeys: false })).text;
        } catch (error) {
          assert.ok(error instanceof UsageError && /kubectl's YAML/.test(error.message), `${String(error)}\n${JSON.stringify(manifest)}`);
          continue;
        }
        // Accepted: what Go cannot read in, it cannot read out (nothing is repaired by guessing);
        // what it reads, it reads out as that plus the injection.
        if (spawnSync(provision().goyaml, [], { input: manifest }).status !== 0) {
          assert.notEqual(spawnSync(provision().goyaml, [], { input: yaml }).status, 0, JSON.stringify(yaml));
          continue;
        }
        const [before] = goParse(manifest);
        const expected = JSON.parse((await injectManifests(JSON.stringify(before), 'm.json', injection, { allowStaticKeys: false })).text) as unknown;
        assert.deepEqual(goParse(yaml), [expected], JSON.stringify(manifest));
        accepted++;
      }
    }
    // U+2028 and U+2029 in a quoted value away from white space (k, single: 2 each); nothing else.
    assert.equal(accepted, 4);
    // A byte order mark at the start of the file is skipped by every reader.
    const bom = `\ufeff${pod('    a: "b\u2028c"\n')}`;
    const [read] = goParse(bom);
    assert.deepEqual(goParse((await injectManifests(bom, 'm.yaml', injection, { allowStaticKeys: false })).text), [JSON.parse((await injectManifests(JSON.stringify(read), 'm.json', injection, { allowStaticKeys: false })).text)]);
  });

  it('numbers the general path writes anew mean to Go what they meant (a leading zero is octal to YAML 1.1)', async () => {
    const manifest = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  volumes: [{name: c, configMap: {name: x, defaultMode: 0644}}, {name: s, secret: {secretName: s, defaultMode: 0400}}]\n  containers: [{name: app, image: nginx, args: [-012, +0755, 09, 0o17, 0x1F, 1_000, 0b11, 1e3, .5, "0644", 00]}]\n';
    const [before] = goParse(manifest);
    const expected = JSON.parse((await injectManifests(JSON.stringify(before), 'm.json', injection, { allowStaticKeys: false })).text) as unknown;
    const yaml = (await injectManifests(manifest, 'm.yaml', injection, { allowStaticKeys: false })).text;
    assert.deepEqual(goParse(yaml), [expected], yaml);
    assert.match(yaml, /defaultMode: 420/);
  });

  it("inject keeps its promises as Go reads the manifests (aliases, merge keys, repeated keys), or refuses in words", async () => {
    type Container = { name: string; env?: { name: string }[]; volumeMounts?: { name: string }[] };
    type Pod = { metadata: { annotations?: Record<string, string> }; spec: { containers: Container[]; nodeSelector?: unknown } };
    const AWS = ['AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL_S3', 'AWS_REGION'];
    const head = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n';
    const cases: { manifest: string; accepted: boolean }[] = [
      // What Go reads differently from a YAML 1.2 reader, or where an edit by node would land elsewhere.
      { manifest: `${head}  <<: {annotations: {minio-irsa.io/inject: "false"}}\nspec:\n  containers:\n    - name: app\n      image: nginx\n`, accepted: false },
      { manifest: `${head}spec:\n  containers:\n    - name: app\n      image: nginx\n      <<: {env: [{name: AWS_ACCESS_KEY_ID, value: x}]}\n`, accepted: false },
      { manifest: `${head}spec:\n  containers:\n    - name: app\n      env: [{name: A, value: "1"}]\n      env: [{name: B, value: "2"}]\n`, accepted: false },
      { manifest: `${head}  annotations: {minio-irsa.io/skip-containers: side}\nspec:\n  containers:\n    - name: app\n      env: &common [{name: A, value: "1"}]\n    - name: side\n      env: *common\n`, accepted: false },
      { manifest: `${head}spec:\n  containers:\n    - &app {name: app, image: nginx}\n    - *app\n`, accepted: false },
      // Sharing and repetition away from what inject changes are kept, and the rest is injected.
      { manifest: `${head}  labels: &labels {app: web}\nspec:\n  nodeSelector: *labels\n  containers:\n    - name: app\n      image: nginx\n`, accepted: true },
      { manifest: `${head}  labels: {a: "1"}\n  labels: {b: "2"}\nspec:\n  containers:\n    - name: app\n      args: ["cat <<EOF"]\n`, accepted: true },
    ];
    for (const { manifest, accepted } of cases) {
      const result = await runCli(['inject', '--endpoint', 'https://minio.lan:9000'], { input: manifest });
      if (!accepted) {
        assert.equal(result.code, 2, `refused:\n${manifest}\n${result.stderr}`);
        assert.equal(result.stdout, '');
        assert.match(result.stderr, /^error: .*\n {2}fix: .*\n$/, 'one error line and its fix');
        continue;
      }
      assert.equal(result.code, 0, result.stderr);
      const [before] = goParse(manifest) as Pod[];
      const [after] = goParse(result.stdout) as Pod[];
      for (const [index, container] of (after?.spec.containers ?? []).entries()) {
        const had = (before?.spec.containers[index]?.env ?? []).map((item) => item.name);
        assert.deepEqual(container.env?.map((item) => item.name), [...had, ...AWS], `as Go reads it:\n${result.stdout}`);
        assert.deepEqual(container.volumeMounts?.map((mount) => mount.name), ['minio-irsa-token']);
      }
      assert.deepEqual(after?.spec.nodeSelector, before?.spec.nodeSelector);
    }
  });

  it('inject over files that end without a line break: Go reads each document as its file says, or the file is refused in words', async () => {
    const dir = scratchDir('irsa-eof-');
    const pod = (tail: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      env:\n        - name: A\n          value: ${tail}`;
    writeFileSync(join(dir, 'a.yaml'), pod('last'));
    writeFileSync(join(dir, 'b.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: v}');
    writeFileSync(join(dir, 'c.yaml'), '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}');
    // A directive may only follow a document's end ("..."): joined after "---" it would be read as a document of its own.
    writeFileSync(join(dir, 'd.yaml'), '# directive\n%YAML 1.1\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: e}\n...\n');
    // Carriage returns alone as line ends (Go and js-yaml read them as line breaks; the yaml library does not).
    writeFileSync(join(dir, 'e.yaml'), pod('"a\r            b"').replace('{name: p}', '{name: q}').replaceAll('\n', '\r'));
    const joined = await runCli(['inject', '--endpoint', 'https://minio.lan:9000', ...['a', 'b', 'c', 'd', 'b', 'e'].map((name) => join(dir, `${name}.yaml`))]);
    assert.equal(joined.code, 0, joined.stderr);
    const docs = goParse(joined.stdout) as { kind: string; metadata: { name: string }; spec?: { containers: { env: { name: string; value: string }[] }[] } }[];
    assert.deepEqual(docs.map((doc) => doc.metadata.name), ['p', 'c', 'd', 'e', 'c', 'q'], joined.stdout);
    assert.match(joined.stderr, /injected 2 \(Pod p, Pod q\); already injected 0; opted out 0; other objects passed through 4$/m);
    assert.deepEqual(docs[5]?.spec?.containers[0]?.env[0], { name: 'A', value: 'a b' });
    assert.equal(docs[5]?.spec?.containers[0]?.env.length, 6);
    assert.deepEqual(docs[0]?.spec?.containers[0]?.env[0], { name: 'A', value: 'last' });
    assert.equal(docs[0]?.spec?.containers[0]?.env.length, 6);
    // Go reads this value as "block" (no line break after it); the output cannot keep that.
    writeFileSync(join(dir, 'block.yaml'), pod('|\n            block'));
    assert.deepEqual(goParse(pod('|\n            block')), goParse(pod('|-\n            block')));
    const refused = await runCli(['inject', '--endpoint', 'https://minio.lan:9000', join(dir, 'block.yaml')]);
    assert.equal(refused.code, 2, refused.stderr);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /^error: .*block\.yaml ends in a block scalar .*\n {2}fix: end the file with a line break, .*\n$/);
  });

  /** One manifest through inject, compared with what Go read of it: its JSON path over that, or a refusal in words. */
  async function againstGo(manifest: string): Promise<'compared' | 'refused' | 'unreadable'> {
    const options = { allowStaticKeys: false };
    const read = spawnSync(provision().goyaml, [], { input: manifest, encoding: 'utf8' });
    let output: string;
    try {
      output = (await injectManifests(manifest, 'g.yaml', injection, options)).text;
    } catch (error) {
      assert.ok(error instanceof UsageError, `${String(error)}\n${JSON.stringify(manifest)}`);
      return 'refused';
    }
    // What Go cannot read, kubectl refuses too: nothing to compare, but it must not come out as
    // something Go reads (inject would have guessed what kubectl refused to).
    if (read.status !== 0) {
      const after = spawnSync(provision().goyaml, [], { input: output, encoding: 'utf8' });
      assert.notEqual(after.status, 0, `Go refuses the input (${read.stderr.trim()}) but reads what inject wrote of it:\n${JSON.stringify(manifest)}\n--- written:\n${output}`);
      return 'unreadable';
    }
    const before = read.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as unknown);
    // The JSON path edits the data itself: the reference for what the YAML must come to.
    const expected: unknown[] = [];
    for (const doc of before) expected.push(JSON.parse((await injectManifests(JSON.stringify(doc), 'g.json', injection, options)).text) as unknown);
    assert.deepEqual(goParse(output), expected, `${JSON.stringify(manifest)}\n--- written:\n${output}`);
    return 'compared';
  }

  /** Manifests drawn from a seeded generator, each through againstGo: how many had each outcome. */
  async function overGenerated(seed: number, count: number, draw: (generator: ManifestGenerator) => string): Promise<Record<'compared' | 'refused' | 'unreadable', number>> {
    const generator = new ManifestGenerator(seed);
    const counts = { compared: 0, refused: 0, unreadable: 0 };
    for (let index = 0; index < count; index++) counts[await againstGo(draw(generator))]++;
    return counts;
  }

  it('inject over generated manifests: what Go reads of its YAML is its JSON path over what Go read of the input, or a refusal in words', async () => {
    const counts = await overGenerated(20261129, 200, (generator) => generator.manifest());
    assert.ok(counts.compared >= 120 && counts.refused >= 20, JSON.stringify(counts));
  });

  it('the same over manifests mutated byte by byte (characters Go reads otherwise, broken structure): never a silent change', async () => {
    const counts = await overGenerated(20261130, 400, (generator) => generator.mutate(generator.manifest()));
    assert.ok(counts.compared >= 60 && counts.refused >= 200, JSON.stringify(counts));
  });

  it('the same over pods whose nodes end oddly where inject puts its lines (empty items, kept block scalars, multi-line scalars)', async () => {
    const counts = await overGenerated(20261131, 400, (generator) => generator.oddEndings());
    assert.ok(counts.compared >= 150 && counts.refused >= 100, JSON.stringify(counts));
  });

  it('keys without a value, values that are nothing and a key that is nothing, where inject re-writes: Go reads the output as the JSON way writes it', async () => {
    const pod = (extra: string) => `kind: Pod\nmetadata:\n  name: p\nspec:\n  containers: [{name: app}]\n${extra}`;
    const outcomes: string[] = [];
    for (const extra of ['  nodeSelector: {disk, zone: a}\n', '  ? tolerations\n', '? \n', '  nodeSelector: {? , b: 1}\n', '  nodeSelector: {disk: ,zone: a}\n', '  nodeSelector: {disk: }\n']) outcomes.push(await againstGo(pod(extra)));
    assert.deepEqual(outcomes, ['compared', 'compared', 'compared', 'compared', 'compared', 'compared']);
  });

  it('what Go refuses (a tab before a comment, YAML 1.2 escapes, a tag before a flow indicator, an entry with no key) never comes out as something Go reads', async () => {
    const flowPod = (extra: string) => `kind: Pod\nmetadata:\n  name: p\n${extra}spec:\n  containers: [{name: app}]\n`;
    const blockPod = (extra: string) => `kind: Pod\nmetadata:\n  name: p\n${extra}spec:\n  containers:\n    - name: app\n`;
    const outcomes: string[] = [];
    for (const pod of [flowPod, blockPod]) {
      for (const extra of ['\t# a comment\n', '  \t# a comment\n', '  annotations: {a: "x\\/y"}\n', '  annotations: {a: "\\ud83d\\ude00"}\n', '  labels: {a: !x}\n', ': 1\n']) outcomes.push(await againstGo(pod(extra)));
    }
    // The general path (flow style where lines go) refuses them; the fast path keeps their bytes, which Go refuses as it did
    // (a tag js-yaml does not know sends the block pod to the general path too).
    assert.deepEqual(outcomes, ['refused', 'refused', 'refused', 'refused', 'refused', 'refused', 'unreadable', 'unreadable', 'unreadable', 'unreadable', 'refused', 'refused']);
  });

  it('a YAML document that is a JSON object takes the JSON way: Go reads the output as it read the input, injected', async () => {
    const pod = (extra = '') => `{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"${extra}}, "spec": {"containers": [{"name": "app", "image": "nginx"}]}}`;
    const list = `{"apiVersion": "v1", "kind": "List", "items": [${[1, 2, 3].map((index) => pod(`, "namespace": "n${index}"`)).join(', ')}]}`;
    const cases = [
      `# Source: chart/templates/pod.json\n---\n${pod()}\n...\n`,
      `kind: ConfigMap\nmetadata: {name: c}\n---\n${pod()}  # trailing\n# after\n`,
      `--- # doc\r\n${pod(', "annotations": {"a": "x\\u2028y\u2028z", "b": "\\"q\\"\\n"}')}\r\n`,
      `${list}\n`,
      // Read otherwise by Go: taken by the general path, which refuses them or (Go refusing the input) writes them as YAML 1.2 reads them.
      `---\n${pod(', "annotations": {"a": "x \u2028y"}')}\n`,
      `---\n${pod(', "annotations": {"a": "x\\/y"}')}\n`,
      `---\n${pod(', "annotations": {"a": "\\ud83d\\ude00"}')}\n`,
    ];
    const outcomes: string[] = [];
    for (const manifest of cases) outcomes.push(await againstGo(manifest));
    assert.deepEqual(outcomes, ['compared', 'compared', 'compared', 'compared', 'refused', 'refused', 'refused']);
    const written = (await injectManifests(cases[1] ?? '', 'j.yaml', injection, { allowStaticKeys: false })).text;
    assert.ok(written.startsWith('kind: ConfigMap\nmetadata: {name: c}\n---\n{\n  "apiVersion": "v1",\n') && written.endsWith('}  # trailing\n# after\n'), written);
  });

  it('pod and minio-env (kubernetes, compose) with hostile values', async () => {
    for (const value of HOSTILE) {
      sameInGoAndJs(await renderPod({ ...workload, endpoint: value }, { name: value, image: value }));
      for (const format of ['kubernetes', 'compose'] as const) {
        const text = await renderMinioEnv(format, { configUrl: value, clientId: value, rolePolicy: [value], displayName: value, provider: '_', isolation: 'prefix' }, value, { name: value, namespace: value });
        sameInGoAndJs(text);
      }
    }
  });
});
