import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { UsageError } from '../../src/errors.js';
import { planInjection, TOKEN_VOLUME, type InjectionSettings } from '../../src/inject/core.js';
import { jsonDocument, jsonObjects } from '../../src/inject/json-path.js';
import { injectManifests } from '../../src/inject/manifests.js';
import { matchSnapshot } from '../helpers/snapshot.js';

const settings: InjectionSettings = { roleArn: 'arn:minio:iam:::role/x', endpoint: 'https://minio.lan:9000', region: 'us-east-1', audience: 'sts.amazonaws.com', tokenPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount/token', tokenExpiration: 3600 };
const inject = (text: string, allowStaticKeys = false) => injectManifests(text, 'test.yaml', settings, { allowStaticKeys });
type Pod = { spec: { containers: { name: string; env?: { name: string; value: string }[]; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[] }[]; initContainers?: Pod['spec']['containers']; volumes?: { name: string; projected?: { sources: { serviceAccountToken: Record<string, unknown> }[] } }[] } };
const envOf = (container: Pod['spec']['containers'][number] | undefined) => Object.fromEntries((container?.env ?? []).map((item) => [item.name, item.value]));

const POD = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: apps}\nspec:\n  serviceAccountName: web\n  containers:\n    - name: app\n      image: nginx\n';

describe('inject core', () => {
  it('adds the projected token volume, its read-only mount and the five variables', async () => {
    const { text, report } = (await inject(POD));
    const pod = parse(text) as Pod;
    assert.deepEqual(report.injected, ['Pod apps/p']);
    assert.deepEqual(envOf(pod.spec.containers[0]), {
      AWS_ROLE_ARN: settings.roleArn,
      AWS_WEB_IDENTITY_TOKEN_FILE: settings.tokenPath,
      AWS_ENDPOINT_URL_STS: settings.endpoint,
      AWS_ENDPOINT_URL_S3: settings.endpoint,
      AWS_REGION: 'us-east-1',
    });
    assert.deepEqual(pod.spec.containers[0]?.volumeMounts, [{ name: TOKEN_VOLUME, mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount', readOnly: true }]);
    assert.deepEqual(pod.spec.volumes?.[0]?.projected?.sources[0]?.serviceAccountToken, { audience: 'sts.amazonaws.com', expirationSeconds: 3600, path: 'token' });
  });

  it('is idempotent: an injected manifest comes out byte for byte the same', async () => {
    const once = (await inject(POD)).text;
    const twice = (await inject(once));
    assert.equal(twice.text, once);
    assert.deepEqual(twice.report.unchanged, ['Pod apps/p']);
  });

  it('every pod spec of a run shares the same frozen values; a partial list is its own', async () => {
    const first = planInjection({ containers: [{ name: 'a' }] }, {}, settings).patch;
    const second = planInjection({ containers: [{ name: 'b', image: 'x' }] }, {}, settings).patch;
    assert.equal(first.length, 3);
    first.forEach((op, index) => {
      assert.equal(op.value, second[index]?.value, `${op.path.join('/')} is the same object`);
      assert.ok(Object.isFrozen(op.value) && Object.isFrozen((op.value as unknown[])[0]), `${op.path.join('/')} is frozen`);
    });
    const partial = planInjection({ containers: [{ name: 'a', env: null, volumeMounts: [] }] }, {}, settings).patch;
    assert.deepEqual(partial.map((op) => op.path.join('/')), ['volumes', 'containers/0/env', 'containers/0/volumeMounts/-']);
    const arrayLike = planInjection({ containers: [{ name: 'a', env: { length: 0 } }] }, {}, settings);
    assert.deepEqual([arrayLike.patch, arrayLike.malformed], [[], ['containers[0].env is not a list']]);
    const some = planInjection({ containers: [{ name: 'a', env: [{ name: 'AWS_REGION', value: 'us-east-1' }] }] }, {}, settings).patch;
    assert.equal(some.filter((op) => op.path.join('/') === 'containers/0/env/-').length, 4);
    assert.notEqual(planInjection({ containers: [{ name: 'a' }] }, {}, { ...settings }).patch[0]?.value, first[0]?.value, 'other settings, other values');
  });

  it('never overrides a variable or a mount the user set, and says so', async () => {
    const spec = { containers: [{ name: 'app', env: [{ name: 'AWS_REGION', value: 'eu-west-1' }], volumeMounts: [{ name: 'mine', mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount' }] }] };
    const { patch, notes } = planInjection(spec, {}, settings);
    assert.ok(!patch.some((op) => JSON.stringify(op.value).includes('"AWS_REGION"')));
    assert.ok(!patch.some((op) => op.path.includes('volumeMounts')));
    assert.deepEqual(notes, ['container app: AWS_REGION kept as the manifest sets it', 'container app: /var/run/secrets/eks.amazonaws.com/serviceaccount already mounts mine; left as it is']);
  });

  it('reaches init containers, skips the containers named in the annotation', async () => {
    const text = 'kind: Pod\nmetadata:\n  name: p\n  annotations: {minio-irsa.io/skip-containers: "proxy"}\nspec:\n  initContainers: [{name: init, image: a}]\n  containers: [{name: app, image: b}, {name: proxy, image: c}]\n';
    const pod = parse((await inject(text)).text) as Pod;
    assert.equal(envOf(pod.spec.initContainers?.[0])['AWS_ROLE_ARN'], settings.roleArn);
    assert.equal(envOf(pod.spec.containers[0])['AWS_ROLE_ARN'], settings.roleArn);
    assert.equal(pod.spec.containers[1]?.env, undefined);
  });

  it('refuses containers that carry static keys unless allowed', async () => {
    const text = 'kind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers: [{name: app, env: [{name: AWS_ACCESS_KEY_ID, value: AKIA}]}]\n';
    await assert.rejects(async () => inject(text), (error: unknown) => error instanceof UsageError && /Deployment d: container app carries static keys/.test(error.message));
    assert.deepEqual((await inject(text, true)).report.injected, ['Deployment d']);
    const litestream = text.replace('AWS_ACCESS_KEY_ID', 'LITESTREAM_ACCESS_KEY_ID');
    await assert.rejects(async () => inject(litestream), /carries static keys/, "litestream's own keys win over the token too");
  });

  it('leaves an opted-out object alone, byte for byte', async () => {
    const text = 'kind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    metadata:\n      annotations: {minio-irsa.io/inject: "false"}\n    spec:\n      containers: [{name: app}]\n';
    const result = (await inject(text));
    assert.equal(result.text, text);
    assert.deepEqual(result.report.optedOut, ['Deployment d']);
    // Written unquoted, the values are a boolean and a number to YAML: read as the text they are.
    const unquoted = 'kind: Pod\nmetadata: {name: p, annotations: {minio-irsa.io/inject: false}}\nspec:\n  containers: [{name: app}]\n';
    assert.deepEqual((await inject(unquoted)).report.optedOut, ['Pod p']);
    const numbered = (await inject('kind: Pod\nmetadata: {name: p, annotations: {minio-irsa.io/skip-containers: 7}}\nspec:\n  containers: [{name: 7}, {name: app}]\n')).report;
    assert.deepEqual(numbered.notes, ['Pod p: container 7 skipped (minio-irsa.io/skip-containers)']);
  });

  it('finds the pod template of every workload kind, and passes other objects through', async () => {
    const kinds = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].map((kind) => `kind: ${kind}\nmetadata: {name: x}\nspec:\n  template:\n    spec:\n      containers: [{name: app}]\n`);
    kinds.push('kind: CronJob\nmetadata: {name: x}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: app}]\n');
    kinds.push('kind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80}]\n');
    const { text, report } = (await inject(kinds.join('---\n')));
    assert.equal(report.injected.length, 6);
    assert.equal(report.passedThrough, 1);
    const docs = parseAllDocuments(text).map((doc) => doc.toJS() as Record<string, unknown>);
    assert.equal(docs.length, 7);
    assert.deepEqual(docs[6], { kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } });
  });

  it('keeps comments and key order', async () => {
    const text = '# top\nkind: Pod # the kind\nmetadata:\n  name: p\nspec:\n  # containers below\n  containers:\n    - name: app # main\n      image: nginx\n  restartPolicy: Never\n';
    const out = (await inject(text)).text;
    for (const comment of ['# top', '# the kind', '# containers below', '# main']) assert.ok(out.includes(comment), comment);
    assert.ok(out.indexOf('restartPolicy') > out.indexOf('containers'), 'order kept');
  });

  it('reads List objects and JSON, and writes JSON back as JSON', async () => {
    const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [JSON.parse(JSON.stringify(parse(POD)))] });
    const { text, report } = (await inject(list));
    assert.deepEqual(report.injected, ['Pod apps/p']);
    const parsed = JSON.parse(text) as { items: Pod[] };
    assert.equal(envOf(parsed.items[0]?.spec.containers[0])['AWS_ROLE_ARN'], settings.roleArn);
  });

  it('bad YAML is one line naming the source and the line', async () => {
    await assert.rejects(async () => inject('kind: Service\nmetadata: {name: s}\n---\nkind: Pod\nspec:\n  containers: [\n'), (error: unknown) => error instanceof UsageError && /^test\.yaml:\d+ is not valid YAML/.test(error.message));
  });
});

describe('inject core: MinIO\'s CA from a ConfigMap', () => {
  const withCa: InjectionSettings = { ...settings, caConfigMap: 'minio-ca' };
  it('mounts it read-only and names it for the SDKs and Node; SSL_CERT_FILE (which replaces the roots) only for litestream', async () => {
    const pod = parse((await inject(POD)).text) as Pod;
    assert.equal(pod.spec.volumes?.length, 1, 'no CA without the setting');
    const spec = { containers: [{ name: 'app', image: 'nginx' }, { name: 'litestream', image: 'litestream/litestream:0.5' }] };
    const { patch } = planInjection(spec, {}, withCa);
    const volumes = patch.find((op) => op.path.join('/') === 'volumes')?.value as { name: string; configMap?: unknown }[];
    assert.deepEqual(volumes.map((volume) => volume.name), ['minio-irsa-token', 'minio-irsa-ca']);
    assert.deepEqual(volumes[1]?.configMap, { name: 'minio-ca', items: [{ key: 'ca.crt', path: 'ca.crt' }] });
    const envOfContainer = (index: number) => Object.fromEntries((patch.find((op) => op.path.join('/') === `containers/${index}/env`)?.value as { name: string; value: string }[]).map((item) => [item.name, item.value]));
    assert.equal(envOfContainer(0)['AWS_CA_BUNDLE'], '/etc/minio-irsa/ca/ca.crt');
    assert.equal(envOfContainer(0)['NODE_EXTRA_CA_CERTS'], '/etc/minio-irsa/ca/ca.crt');
    assert.equal(envOfContainer(0)['SSL_CERT_FILE'], undefined);
    assert.equal(envOfContainer(1)['SSL_CERT_FILE'], '/etc/minio-irsa/ca/ca.crt');
    // litestream is recognised by its image or by its container name, either alone.
    for (const container of [{ name: 'replicate', image: 'litestream/litestream:0.3.14' }, { name: 'litestream', image: 'registry.lan/backup:1' }]) {
      const env = planInjection({ containers: [container] }, {}, withCa).patch.find((op) => op.path.join('/') === 'containers/0/env')?.value as { name: string }[];
      assert.ok(env.some((item) => item.name === 'SSL_CERT_FILE'), JSON.stringify(container));
    }
    const mounts = patch.find((op) => op.path.join('/') === 'containers/0/volumeMounts')?.value;
    assert.deepEqual(mounts, [
      { name: TOKEN_VOLUME, mountPath: '/var/run/secrets/eks.amazonaws.com/serviceaccount', readOnly: true },
      { name: 'minio-irsa-ca', mountPath: '/etc/minio-irsa/ca', readOnly: true },
    ]);
  });

  it('is idempotent with the CA too, and adds only the CA to a pod injected without it', async () => {
    const once = (await injectManifests(POD, 't.yaml', withCa, { allowStaticKeys: false })).text;
    assert.equal((await injectManifests(once, 't.yaml', withCa, { allowStaticKeys: false })).text, once);
    const before = (await inject(POD)).text;
    const { patch } = planInjection((parse(before) as { spec: Record<string, unknown> }).spec, {}, withCa);
    assert.deepEqual(patch.map((op) => op.path.join('/')), ['volumes/-', 'containers/0/env/-', 'containers/0/env/-', 'containers/0/volumeMounts/-']);
  });
});

describe('inject fast path (lines inserted into the original text)', () => {
  const shapes: [string, string][] = [
    ['block style with comments and odd spacing', POD.replace('    - name: app\n', '    - name: app   # the app\n') + '# trailing comment\n'],
    ['indentless sequences', 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: nginx\n    env:\n    - name: A\n      value: "1"\n  volumes:\n  - name: data\n    emptyDir: {}\n'],
    ['init containers, two containers, a last key holding a block scalar', 'kind: Pod\nmetadata:\n  name: p\nspec:\n  initContainers:\n    - name: init\n      image: busybox\n  containers:\n    - name: a\n      image: nginx\n      command:\n        - sh\n        - -c\n        - |\n          echo one\n          echo two\n    - name: b\n      image: nginx\n'],
    ['a List of Deployments', 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: d}\n    spec:\n      template:\n        spec:\n          containers:\n            - name: app\n              image: nginx\n'],
    ['an item written as a lone dash (the general path)', 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    -\n      name: app\n      image: nginx\n'],
    ['flow-style containers (the general path)', 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: app, image: nginx}]\n'],
    ['anchors and aliases (the general path)', 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - &app\n      name: app\n      image: nginx\n'],
    ['a kept-newlines block scalar last in the container, keys after the pod spec', 'kind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: app\n      image: nginx\n      args:\n        - |+\n          keep\n\n  restartPolicy: Never\nstatus:\n  phase: Pending\n'],
    ['a timestamp-looking value and a merge-looking key stay text', 'kind: Pod\nmetadata:\n  name: p\n  annotations:\n    built: 2001-12-14\nspec:\n  containers:\n    - name: app\n      image: nginx\n      env:\n        - name: SINCE\n          value: 2001-12-14t21:59:43.10-05:00\n'],
  ];
  for (const [label, manifest] of shapes) {
    it(`${label}: the same data as planned, the original lines untouched`, async () => {
      const { text, report } = (await inject(manifest));
      assert.equal(report.injected.length, 1, label);
      const before = parse(manifest) as Record<string, unknown>;
      const after = parse(text) as Record<string, unknown>;
      const specs = (doc: Record<string, unknown>) => (doc['kind'] === 'List' ? ((doc['items'] as Record<string, unknown>[])[0]?.['spec'] as { template: { spec: Pod['spec'] } }).template.spec : (doc['spec'] as Pod['spec']));
      const spec = specs(after);
      for (const container of [...(spec.initContainers ?? []), ...spec.containers]) assert.equal(envOf(container)['AWS_ROLE_ARN'], settings.roleArn, `${label}: ${container.name}`);
      assert.ok(spec.volumes?.some((volume) => volume.name === TOKEN_VOLUME));
      assert.deepEqual(parse((await inject(text)).text), after, 'idempotent');
      // Everything that was there is still there, unchanged.
      assert.equal(JSON.stringify(specs(before).containers.map((c) => c.name)), JSON.stringify(spec.containers.map((c) => c.name)));
      const unchanged = (was: object, now: object, ours: string[], where: string) => {
        for (const [key, value] of Object.entries(was)) if (!ours.includes(key)) assert.deepEqual((now as Record<string, unknown>)[key], value, `${label}: ${where}${key} unchanged`);
      };
      unchanged(specs(before), spec, ['volumes', 'containers', 'initContainers'], '');
      specs(before).containers.forEach((container, index) => unchanged(container, spec.containers[index] ?? {}, ['env', 'volumeMounts'], `${container.name}.`));
      if (!/general path/.test(label)) {
        const kept = manifest.split('\n').filter((line) => line.trim() !== '');
        const lines = text.split('\n');
        let at = 0;
        for (const line of kept) {
          at = lines.indexOf(line, at);
          assert.ok(at >= 0, `${label}: the line "${line}" is kept verbatim and in order`);
        }
      }
    });
  }

  it('empty lists as charts write them (env: [], env: ~, volumes: null) are filled in place: the other lines stay byte for byte', async () => {
    const manifest = 'kind: Pod\nmetadata: {name: p}  # kept\nspec:\n  containers:\n    - name: app\n      env: []  # none yet\n      volumeMounts: ~\n    - name: side\n      env:\n      volumeMounts: [ ]\n  volumes: null\n';
    const { text } = await inject(manifest);
    const lines = text.split('\n');
    assert.ok(lines.includes('metadata: {name: p}  # kept'), 'the fast path: other lines as they were');
    assert.ok(lines.includes('      env:  # none yet') && lines.includes('      volumeMounts:'), text);
    assert.ok(!/\[\s*\]|~|null/.test(text), text);
    assert.ok(!text.includes('\n\n'), 'a null line is taken out, not left blank');
    const pod = parse(text) as Pod;
    for (const container of pod.spec.containers) {
      assert.equal(Object.keys(envOf(container)).length, 5, container.name);
      assert.equal(container.volumeMounts?.[0]?.name, TOKEN_VOLUME, container.name);
    }
    assert.equal(pod.spec.volumes?.[0]?.name, TOKEN_VOLUME);
    // Not empty after all (lines below it), or a comment to keep on a null: the general path.
    for (const other of ['      env: []\n        - name: X\n', '      env: ~  # later\n']) {
      const general = (await inject(`kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n${other}`).catch((error: unknown) => ({ text: String(error) }))).text;
      assert.ok(!general.includes('metadata: {name: p}\n'), `${other}: ${general}`);
    }
  });

  it('many places in one document (List items, init containers, containers): found one after another, every value placed by the fast path', async () => {
    const { insertLines, readFast } = await import('../../src/inject/fast-path.js');
    const { emptyReport, visit } = await import('../../src/inject/plan.js');
    const deployment = (name: string) => `  - apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: ${name}}\n    spec:\n      template:\n        spec:\n          initContainers:\n            - name: init\n              image: busybox\n          containers:\n            - name: a\n              image: nginx\n              env:\n                - name: A\n                  value: "1"\n            - name: b\n              image: nginx\n`;
    const manifest = `apiVersion: v1\nkind: List\nitems:\n${['d0', 'd1', 'd2'].map(deployment).join('')}  - apiVersion: v1\n    kind: Pod\n    metadata: {name: p}\n    spec:\n      containers:\n        - name: c\n          image: nginx\n`;
    const insertions: { scope: (string | number)[]; path: (string | number)[]; value: unknown }[] = [];
    visit(readFast(manifest), [], settings, { allowStaticKeys: false }, emptyReport(), (path, op) => insertions.push({ scope: path, path: [...path, ...op.path], value: op.value }));
    assert.equal(new Set(insertions.map((insertion) => insertion.scope.join('/'))).size, 4, 'four pod specs');
    const text = insertLines(manifest, readFast(manifest), insertions);
    assert.ok(text !== undefined, 'the fast path placed every value');
    const json = await injectManifests(JSON.stringify(parse(manifest)), 'm.json', settings);
    assert.deepEqual(parse(text), JSON.parse(json.text), 'what the JSON path makes of the same data');
  });

  it('finding pod specs and containers one after another reads each line a bounded number of times (linear, not quadratic)', async () => {
    const { linesOf, Walker } = await import('../../src/inject/fast-path.js');
    const items = 200;
    const text = `kind: List\nitems:\n${Array.from({ length: items }, (_, i) => `  - kind: Deployment\n    metadata: {name: d${i}}\n    spec:\n      template:\n        spec:\n          initContainers:\n            - name: init\n          containers:\n            - name: a\n              env:\n                - name: A\n            - name: b\n`).join('')}`;
    const lines = linesOf(text.split('\n'));
    assert.ok(lines);
    let reads = 0;
    const counted = <T extends object>(target: T): T => new Proxy(target, { get: (object, key) => ((reads += typeof key === 'string' && /^\d+$/.test(key) ? 1 : 0), Reflect.get(object, key) as unknown) });
    const walker = new Walker({ ...lines, raw: counted([...lines.raw]), indent: counted(lines.indent) }, { start: 0, end: lines.raw.length, indent: 0 });
    for (let item = 0; item < items; item++) {
      const spec = ['items', item, 'spec', 'template', 'spec'];
      for (const path of [spec, [...spec, 'initContainers', 0], [...spec, 'containers', 0, 'env'], [...spec, 'containers', 1], spec]) assert.ok(walker.locate(path), path.join('/'));
    }
    // Each line is looked at a few times by its item's scans (14 here); rescanning the List for every item: thousands.
    assert.ok(reads < 50 * lines.raw.length, `${reads} reads for ${lines.raw.length} lines`);
  });

  it('a flow collection whose last line sits left of its key: js-yaml reads it, nothing is inserted into it, the general path refuses it', async () => {
    for (const manifest of [
      'kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: nginx\n  nodeSelector: {a: "x",\nb: y}\n',
      'kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    args: ["x",\n  "y"]\n',
    ]) {
      await assert.rejects(async () => inject(manifest), (error: unknown) => error instanceof UsageError && /^test\.yaml:\d+ is not valid YAML: Flow (map|sequence) in block collection must be sufficiently indented/.test(error.message), manifest);
    }
  });

  it('a misplaced insertion is never written: verification sends it to the general path', async () => {
    const { insertLines, readFast } = await import('../../src/inject/fast-path.js');
    const manifest = 'kind: Pod\nspec:\n  containers:\n    - name: app\n      env: [{name: A, value: "1"}]\n';
    const planned = readFast(manifest);
    assert.equal(insertLines(manifest, planned, [{ scope: ['spec'], path: ['spec', 'containers', 0, 'env', '-'], value: { name: 'B', value: '2' } }]), undefined, 'a flow sequence is not edited in place');
    assert.equal(insertLines(manifest, planned, [{ scope: ['spec'], path: ['spec', 'containers', 0, 'name'], value: 'x' }]), undefined, 'an existing key is never added again');
    assert.equal(insertLines(manifest, planned, [{ scope: ['spec'], path: ['spec', 'nothing', 'here'], value: 1 }]), undefined);
    const fine = insertLines(manifest, planned, [{ scope: ['spec'], path: ['spec', 'volumes'], value: [{ name: 'v' }] }]);
    assert.equal(fine, `${manifest}  volumes:\n    - name: v\n`);
    assert.equal(readFast('a: &x 1\nb: *x\n'), undefined, 'aliases are left to the general path');
    for (const anchored of ['a: [&x 1]\n', '&x a: 1\n', 'a: {"b":&x 1}\n', 'a: [1,&x 2]\n', '- !!str &x a\n']) assert.equal(readFast(anchored), undefined, `an anchor alone too: ${anchored}`);
    assert.equal(readFast('b: *x\n'), undefined, 'an alias without its anchor is an error');
    assert.deepEqual(readFast('cron: "*/5 * * * *"\nq: a&b\nr: "a & b"\n'), { cron: '*/5 * * * *', q: 'a&b', r: 'a & b' }, 'stars and ampersands in scalars are read');
    assert.equal(readFast('a: [1\n'), undefined, 'unreadable: the general path says why');
  });

  // Where each line goes, exactly: comments stay with what follows them, blank lines and
  // trailing comments stay last, and every shape here takes the fast path (the general path
  // would rewrite the flow-style metadata as "{ name: … }").
  const layouts = [
    'kind: Deployment\nmetadata: {name: comments}\nspec:\n  template:\n    spec:   # the pod\n      # before the containers\n      containers:\n        # the first\n        - name: a\n          image: nginx\n          env:\n            - name: LOG   # inline\n              value: info\n            # a commented-out variable\n            # - name: OLD\n          # after the env of a\n        # the second\n        - name: b\n          image: busybox\n\n      # the last line of the pod spec\n',
    'kind: List\nmetadata: {name: column-zero}\nitems:\n- kind: Pod\n  metadata: {name: p}\n  spec:\n    containers:\n    - name: a\n      image: nginx\n      volumeMounts:\n      - name: data\n        mountPath: /data\n    volumes:\n    - name: data\n      emptyDir: {}\n',
    'kind: Pod\nmetadata: {name: quoted}\nspec:\n  "containers":\n    - name: a\n      \'env\':\n        - name: A\n          value: "x: y # not a comment"\n      command:\n        - sh\n        - -c\n        - |-\n          echo one\n          echo two\n  initContainers:\n    -   name: init\n        image: busybox\n        args: ["a", "b"]\n    - name: second\n      image: "a & b * c"\nstatus:\n  phase: Pending\n',
    'kind: Deployment\nmetadata:\n  name: partial\n  annotations: {minio-irsa.io/skip-containers: sidecar}\nspec:\n  template:\n    metadata: {labels: {app: s}}\n    spec:\n      containers:\n      - name: app\n        env:\n        - {name: AWS_REGION, value: us-east-1}\n        - name: OTHER\n          value: "1"\n      - name: sidecar\n        image: envoy\n',
    'kind: CronJob\nmetadata: {name: nightly}\nspec:\n  schedule: "*/5 * * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: OnFailure\n          containers:\n          - name: job\n            image: busybox\n',
    'kind: Pod\nmetadata: {name: nested}\nspec:\n  extra:\n    containers: not these\n    volumes: nor these\n  containers:\n    - name: a\n      probe:\n        env: deeper\n        volumeMounts: deeper\n      env:\n        - name: A\n          value: "1"\n',
    'kind: List\nmetadata: {name: two}\nitems:\n  - kind: Pod\n    metadata: {name: one}\n    spec:\n      containers:\n        - name: a\n  - kind: Pod\n    metadata: {name: two}\n    spec:\n      containers:\n        - name: b\n',
  ];
  it('puts every line in its place (a snapshot of each layout before and after)', async () => {
    const shown: string[] = [];
    for (const manifest of layouts) {
      const { text, report } = await inject(manifest);
      assert.equal(report.injected.length, manifest.includes('{name: two}') ? 2 : 1, manifest);
      const kept = manifest.split('\n');
      let at = -1;
      for (const line of kept) {
        at = text.split('\n').indexOf(line, at + 1);
        assert.ok(at >= 0, `the line "${line}" is kept verbatim and in order`);
      }
      shown.push(`### in\n${manifest}### out\n${text}`);
    }
    matchSnapshot('inject-layouts', shown.join(''));
  });

  it('inserts only values proven to read back as themselves; the read-back sees each one as a placeholder in its place', async () => {
    const { insertLines, readFast } = await import('../../src/inject/fast-path.js');
    const manifest = 'kind: Pod\nspec:\n  containers:\n    - name: app\n      env:\n        - name: A\n          value: "1"\n';
    const planned = () => readFast(manifest);
    const add = (value: unknown) => insertLines(manifest, planned(), [{ scope: ['spec'], path: ['spec', 'containers', 0, 'env', '-'], value }]);
    assert.equal(add({ name: 'B', value: '2' }), `${manifest}        - name: B\n          value: "2"\n`);
    assert.equal(add({ name: 'B', value: 'two\nlines' }), undefined, 'a multi-line scalar is not written by the fast path');
    assert.equal(add({ name: 'B', value: 'cr\r' }), undefined, 'nor a carriage return');
    assert.equal(add({ name: 'B', value: Number.NaN }), undefined, 'a rendering that does not read back as the value (NaN is written as text) is refused');
    // Text like an anchor is quoted, and the plain-YAML reader reads it as text; where js-yaml
    // reads (text outside ASCII) anything like an anchor is left to the general path.
    assert.equal(add({ name: 'B', value: 'an &anchor' }), `${manifest}        - name: B\n          value: "an &anchor"\n`);
    assert.equal(add({ name: 'B', value: 'é &anchor' }), undefined, 'and one js-yaml would read, with an anchor-like text');
    assert.match(add({ name: '&B', value: 'a&b' }) ?? '', /- name: "&B"\n {10}value: "a&b"\n$/, 'quoted ampersands are text');
    // A kept-newlines scalar last in the container: new lines there would take its trailing
    // newline away, which the placeholder read-back sees.
    const kept = 'kind: Pod\nspec:\n  containers:\n    - name: app\n      args:\n        - |+\n          keep\n\n  restartPolicy: Never\n';
    assert.equal(insertLines(kept, readFast(kept), [{ scope: ['spec'], path: ['spec', 'containers', 0, 'env'], value: [{ name: 'B', value: '2' }] }]), undefined);
    assert.equal(insertLines(`${manifest}--- {a: 1}\n`, planned(), [{ scope: ['spec'], path: ['spec', 'volumes'], value: [{ name: 'v' }] }]), undefined, 'a document marker with content on its line');
  });

  it('a value that is not frozen is rendered each time it is inserted (only shared, frozen values are cached)', async () => {
    const { insertLines, readFast } = await import('../../src/inject/fast-path.js');
    const manifest = 'kind: Pod\nspec:\n  containers:\n    - name: app\n';
    const value = [{ name: 'v' }];
    assert.match(insertLines(manifest, readFast(manifest), [{ scope: ['spec'], path: ['spec', 'volumes'], value }]) ?? '', /- name: v\n$/);
    value[0] = { name: 'w' };
    assert.match(insertLines(manifest, readFast(manifest), [{ scope: ['spec'], path: ['spec', 'volumes'], value }]) ?? '', /- name: w\n$/);
    const shared = Object.freeze([Object.freeze({ name: 'f' })]);
    assert.match(insertLines(manifest, readFast(manifest), [{ scope: ['spec'], path: ['spec', 'volumes'], value: shared }]) ?? '', /volumes:\n {4}- name: f\n$/);
    assert.match(insertLines(`kind: Pod\nspec:\n    containers:\n      - name: app\n`, readFast(`kind: Pod\nspec:\n    containers:\n      - name: app\n`), [{ scope: ['spec'], path: ['spec', 'volumes'], value: shared }]) ?? '', /\n {4}volumes:\n {6}- name: f\n$/, 'rendered again for another indentation');
  });

  it('compares read-back data exactly: order of keys aside, every value and type', async () => {
    const { sameData } = await import('../../src/inject/fast-path.js');
    assert.ok(sameData({ a: [1, 'x', null, true], b: { c: NaN } }, { b: { c: NaN }, a: [1, 'x', null, true] }));
    for (const [a, b] of [
      [{ a: 1 }, { a: '1' }],
      [{ a: 1 }, { a: 1, b: 2 }],
      [{ a: 1, b: 2 }, { a: 1 }],
      [{ a: 1 }, { b: 1 }],
      [[1, 2], [2, 1]],
      [[1], { 0: 1 }],
      [{ 0: 1 }, [1]],
      [[1, 2], [1, 2, 3]],
      [{ a: null }, { a: {} }],
      [{ a: {} }, { a: null }],
      [{ a: undefined }, { b: undefined }],
      [NaN, 0],
      [{ a: 1 }, { a: {} }],
      [{ a: {} }, { a: 1 }],
    ] as const) {
      assert.equal(sameData(a, b), false, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
    }
  });
});

describe('inject over manifests: kinds, JSON, errors, the general path', () => {
  it('the general path keeps a trailing comment and double-quotes, escaped, a quoted scalar holding U+2028 (which YAML 1.1 keeps in quotes too)', async () => {
    const { text } = (await inject("# the pod\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: app, image: nginx, args: ['a\u2028b']}]\n# the end\n"));
    assert.match(text, /^# the pod\nkind: Pod\n/);
    assert.ok(!/\u2028/.test(text), 'no raw line separator left');
    assert.match(text, /args: \[ "a\\u2028b" \]/);
    assert.match(text, /\{ name: app, image: nginx,/, 'other scalars keep their plain style');
    assert.match(text, /\n# the end\n$/);
  });
  it('characters YAML 1.1 (kubectl) reads otherwise than YAML 1.2, in an object inject changes: refused with the line', async () => {
    const pod = (metadata: string) => `kind: Pod\nmetadata:\n  name: p\n${metadata}spec:\n  containers: [{name: app}]\n`;
    const cases: [string, string][] = [
      [`# head\u2028evil: true\n${pod('')}`, "test.yaml:1: U+2028, which kubectl's YAML (1.1) reads as a line break and YAML 1.2 does not"],
      [pod('  annotations:\n    plain: a\u2029b\n'), "test.yaml:5: U+2029, which kubectl's YAML (1.1) reads as a line break"],
      [pod('  annotations:\n    quoted: "x"\n    plain: a\u2028b\n'), "test.yaml:6: U+2028, which kubectl's YAML (1.1) reads as a line break"],
      [pod('  annotations: {"k": "a\u0085b"}\n'), "test.yaml:4: U+0085, which kubectl's YAML (1.1) reads as a line break"],
      [pod('  # note\u2028x: 1\n'), 'test.yaml:4: U+2028'],
      [pod("  annotations: {k: 'a\u009bb'}\n"), "test.yaml:4: the character U+009B, which kubectl's YAML refuses"],
      [`kind: ConfigMap\n---\n${pod('  annotations: {k: "\u007f"}\n')}`, 'test.yaml:6: the character U+007F'],
      [pod('  annotations: {k: "a\u0000b"}\n'), 'test.yaml:4: the character U+0000'],
      [pod('  annotations:\n    k: a\u001bb\n'), 'test.yaml:5: the character U+001B'],
      [pod('  annotations: {k: "\uffff"}\n'), 'test.yaml:4: the character U+FFFF'],
    ];
    for (const [manifest, message] of cases) {
      await assert.rejects(async () => inject(manifest), (error: unknown) => error instanceof UsageError && error.message.startsWith(message) && /kubectl and inject would read this object differently$/.test(error.message) && /double-quoted string \("\\u[0-9a-f]{4}"\)$/.test(error.hint ?? ''), JSON.stringify(manifest));
    }
    // Where kubectl would find a pod template that YAML 1.2 does not (U+2028 in the indentation: a line break to Go), too.
    await assert.rejects(async () => inject('kind: Job\nmetadata: {name: j}\nspec:\n \u2028 template:\n    spec:\n      containers: [{name: app}]\n'), (error: unknown) => error instanceof UsageError && /^test\.yaml:4: U\+2028/.test(error.message));
    // In an object that cannot hold a pod template, they pass through byte for byte.
    const configMap = 'kind: ConfigMap\nmetadata: {name: c}\ndata: {k: a\u2028b}\n';
    assert.equal((await inject(`${configMap}---\n${pod('')}`)).text.slice(0, configMap.length), configMap);
    // Also: in a quoted key, next to white space in a quoted value (Go drops it), a byte order mark past the start.
    for (const annotations of ['  annotations: {"x\u2029y": z}\n', '  annotations: {k: "a \u2028b"}\n', "  annotations: {k: 'a\u2028\tb'}\n", '  annotations: {k: "a\ufeffb"}\n']) {
      await assert.rejects(async () => inject(pod(annotations)), (error: unknown) => error instanceof UsageError && /^test\.yaml:4: U\+(2028|2029|FEFF)/.test(error.message), JSON.stringify(annotations));
    }
    // Read alike: U+2028 and U+2029 in a quoted value away from white space; a byte order mark at the start.
    for (const manifest of [pod('  annotations: {k: "a\u2028b", j: \'x\u2029y\'}\n'), `\ufeff${pod('  annotations: {k: "a\u2028b"}\n')}`]) {
      assert.equal((await inject(manifest)).report.injected.length, 1, JSON.stringify(manifest));
    }
  });

  it('what Go refuses and a re-write would lose (a tab in the indentation of a blank or comment line, the YAML 1.2 escapes \\/ and \\ud800-\\udfff, a tag before a flow indicator, an entry with no key) is refused where the general path re-writes: no input kubectl refuses comes out one it accepts', async () => {
    const pod = (line: string) => `kind: Pod\nmetadata:\n  name: p\nspec:\n${line}\n  containers: [{name: app}]\n`;
    for (const line of ['\t# a comment', '  \t# a comment', '\t', '\t  ']) {
      await assert.rejects(async () => inject(pod(line)), (error: unknown) => error instanceof UsageError && error.message.startsWith("test.yaml:5: a tab in the indentation of a blank or comment line, which kubectl's YAML refuses") && error.hint === 'indent with spaces', JSON.stringify(line));
    }
    // YAML 1.2 escapes Go refuses: "\/", a surrogate written as \u (JSON writes characters beyond U+FFFF so). An escaped backslash before "/" is not one.
    for (const [value, escape] of [['"x\\/y"', '\\/'], ['"\\ud83d\\ude00"', '\\ud83d'], ['"\\ud800"', '\\ud800'], ["{\"k\\udfff\": 1}", '\\udfff']]) {
      await assert.rejects(async () => inject(pod(`  annotations: {a: ${value}}`)), (error: unknown) => error instanceof UsageError && error.message.startsWith(`test.yaml:5: the escape ${escape} in a double-quoted string, which kubectl's YAML (1.1) refuses`), value);
    }
    // Outside double quotes a backslash is a character like any other.
    for (const value of ['"x\\\\/y"', '"\\U0001F600"', '"\\u00e9"', "'x\\/y'", 'x\\/y', '"\\ud7ff"']) assert.equal((await inject(pod(`  annotations: {a: ${value}}`))).report.injected.length, 1, value);
    // A tag followed directly by a flow indicator: part of the tag to Go (refused, or the item dropped), its end to YAML 1.2.
    for (const [value, indicator] of [['{k: !app}', '}'], ['[!app, b]', ','], ['[!!str]', ']']]) {
      await assert.rejects(async () => inject(pod(`  annotations: {a: ${value}}`)), (error: unknown) => error instanceof UsageError && error.message.startsWith(`test.yaml:5: a tag followed directly by "${indicator}", which kubectl's YAML (1.1) reads as part of the tag`), value);
    }
    for (const value of ['"!,"', 'a!,b', '[a, "!"]']) assert.equal((await inject(pod(`  annotations: {a: ${value}}`))).report.injected.length, 1, value);
    // An entry with no key: refused by Go, a null key to YAML 1.2 (an explicit "?" alone is a null key to both: kept, as null).
    await assert.rejects(async () => inject(pod('  : 1')), (error: unknown) => error instanceof UsageError && error.message.startsWith('test.yaml:5: an entry with no key (": value"), which kubectl\'s YAML refuses'));
    assert.match((await inject(pod('  ? '))).text, /^ {2}null: null$/m);
    // Keys that are not "nothing": an empty string, a written null. A value that is nothing in a flow mapping is written null (`{disk:, b}` is the key "disk:" to Go).
    for (const line of ['  "": 1', '  ~: 1', '  nodeSelector: {disk: ,zone: a}']) assert.equal((await inject(pod(line))).report.injected.length, 1, line);
    assert.match((await inject(pod('  nodeSelector: {disk: ,zone: a}'))).text, /nodeSelector: \{ disk: null, zone: a \}/);
    // After content, a tab only separates: kept. In an object inject leaves alone, copied as it is.
    assert.equal((await inject(pod('  # a comment\t'))).report.injected.length, 1);
    const configMap = 'kind: ConfigMap\nmetadata: {name: c}\n\t# a comment\ndata: {k: v}\n';
    assert.equal((await inject(configMap)).text, configMap);
  });

  it('in one piece of text, a document the general path leaves alone is copied byte for byte', async () => {
    const untouched = '# kept   as is\nkind: ConfigMap\nmetadata: {name:   c}\n';
    const { text, report } = (await inject(`kind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: app, image: nginx}]\n...\n${untouched}`));
    assert.deepEqual(report.injected, ['Pod p']);
    assert.ok(text.endsWith(`...\n${untouched}`), text);
  });
  it('static keys are refused unless allowed, also when no options are given', async () => {
    const keyed = 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      env:\n        - name: AWS_ACCESS_KEY_ID\n          value: x\n';
    await assert.rejects(async () => injectManifests(keyed, 'k.yaml', settings), /^UsageError: Pod p: container app carries static keys/);
    assert.deepEqual((await inject(keyed, true)).report.injected, ['Pod p']);
  });
  it('repeated keys away from the edit are passed through as they are (Go\'s YAML keeps the last one), the object still injected', async () => {
    const { text, report } = (await inject('kind: Pod\nmetadata:\n  name: p\n  labels: {a: "1"}\n  labels: {b: "2"}\nspec:\n  containers:\n    - name: app\n      image: nginx\n'));
    assert.deepEqual(report.injected, ['Pod p']);
    assert.match(text, /labels: \{ a: "1" \}\n {2}labels: \{ b: "2" \}/);
  });
  it('a key the edit goes into, repeated, is refused: Go reads the last one, the edit would go into the first', async () => {
    const repeated = 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      env:\n        - {name: A, value: "1"}\n      env:\n        - {name: B, value: "2"}\n';
    await assert.rejects(async () => inject(repeated), (error: UsageError) => {
      assert.equal(error.message, 'Pod p: inject cannot change this as written: a YAML alias (*) shares a node it changes, or a key it changes is repeated');
      assert.equal(error.hint, 'write the object out without aliases (yq \'explode(.)\' does it) and without repeated keys, or annotate it minio-irsa.io/inject: "false"');
      return true;
    });
  });
  it('aliases: a shared node the edit changes, or one on its way, is refused in words; one it does not touch is kept', async () => {
    // The skipped container would read our variables through the alias.
    const sharedWithSkipped = 'kind: Pod\nmetadata:\n  name: p\n  annotations: {minio-irsa.io/skip-containers: side}\nspec:\n  containers:\n    - name: app\n      env: &common\n        - {name: A, value: "1"}\n    - name: side\n      env: *common\n';
    await assert.rejects(async () => inject(sharedWithSkipped), /^UsageError: Pod p: inject cannot change this as written/);
    // The yaml library cannot edit through an alias: a clear refusal, not an internal error.
    // ... nor one inside the node it names (circular data).
    for (const through of ['kind: Pod\nmetadata: {name: p}\nx: &c [{name: app, image: nginx}]\nspec:\n  containers: *c\n', 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - &w {name: app, image: nginx}\n    - *w\n', 'kind: Pod\nmetadata: {name: p}\nspec: &s\n  containers: [{name: app}]\n  loop: *s\n']) {
      await assert.rejects(async () => inject(through), /^UsageError: Pod p: inject cannot change this as written/, through);
    }
    const untouched = (await inject('kind: Pod\nmetadata: {name: p, labels: &l {app: a}}\nspec:\n  nodeSelector: *l\n  containers: [{name: app, image: nginx}]\n'));
    assert.deepEqual(untouched.report.injected, ['Pod p']);
    assert.match(untouched.text, /labels: &l \{ app: a \}[\s\S]*nodeSelector: \*l/);
  });
  it('an integer beyond 2^53 is kept as written by the fast path; the general path and JSON, which write numbers anew, refuse it', async () => {
    const big = 'activeDeadlineSeconds: 9007199254740993';
    const block = (await inject(`kind: Pod\nmetadata: {name: p}\nspec:\n  ${big}\n  containers:\n    - name: app\n`)).text;
    assert.match(block, new RegExp(`\\n  ${big}\\n`));
    await assert.rejects(inject(`kind: Pod\nmetadata: {name: p}\nspec:\n  ${big}\n  containers: [{name: app}]\n`), (error: UsageError) => {
      assert.equal(error.message, 'Pod p: a number near 9007199254740992 is beyond what inject writes back exactly (integers up to 2^53): it would change');
      assert.equal(error.hint, 'keep numbers within ±9007199254740991, or write the object in block style (edited in place, its numbers kept as written)');
      return true;
    });
    await assert.rejects(inject('{"kind": "ConfigMap", "data": {"n": "1"}, "x": [-9007199254740993]}'), /^UsageError: test\.yaml: a number near -9007199254740992 is beyond/);
    assert.match((await inject('{"kind": "Pod", "metadata": {"name": "p"}, "spec": {"n": 9007199254740991, "containers": [{"name": "a"}]}}')).text, /"n": 9007199254740991,/, 'the largest exact integer is fine');
    // Beyond a double: JSON.stringify would write null, the yaml library .inf (Go reads 1e400 as text).
    await assert.rejects(inject('{"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}]}, "x": 1e400}'), /^UsageError: test\.yaml: a number that reads as Infinity \(beyond a double, or \.inf\/\.nan\) cannot be written back as it was: it would change$/);
    for (const value of ['1e400', '-1e999', '.nan', '.inf']) {
      await assert.rejects(inject(`kind: Pod\nmetadata: {name: p}\nspec:\n  x: ${value}\n  containers: [{name: app}]\n`), /^UsageError: Pod p: a number that reads as (-?Infinity|NaN)/, value);
      assert.match((await inject(`kind: Pod\nmetadata: {name: p}\nspec:\n  x: ${value}\n  containers:\n    - name: app\n`)).text, new RegExp(`\\n  x: ${value.replace('.', '\\.')}\\n`), `${value}: kept as written in block style`);
    }
  });
  it('a merge key (<<) in an object inject plans is refused, with its line; in any other object it passes through', async () => {
    // Go's YAML merges there (a later merge overriding keys before it); the core schema does not.
    for (const [merged, line] of [
      ['kind: Pod\nmetadata:\n  name: p\n  <<: {annotations: {minio-irsa.io/inject: "false"}}\nspec:\n  containers:\n    - name: app\n      image: nginx\n', 4],
      ['kind: ConfigMap\n---\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      "<<": {env: [{name: AWS_ACCESS_KEY_ID, value: x}]}\n', 8],
      ['kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      ? !!merge x\n      : {env: []}\n', 6],
    ] as const) {
      await assert.rejects(async () => inject(merged), new RegExp(`^UsageError: test\\.yaml:${line}: Pod p uses a YAML merge key \\(<<\\), which kubectl expands by rules of its own`), merged);
    }
    const configMap = 'kind: ConfigMap\nmetadata: {name: c}\ndata:\n  <<: {containers: "x"}\n';
    assert.equal((await inject(configMap)).text, configMap);
    const script = 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      args: ["cat <<EOF"]\n';
    assert.deepEqual((await inject(script)).report.injected, ['Pod p'], 'a "<<" in a value is text');
  });
  it('a syntax error names the line in the whole input and the parser\'s words', async () => {
    await assert.rejects(async () => inject('kind: ConfigMap\n---\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n  bad: [\n'), /^UsageError: test\.yaml:9 is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a \]$/m);
  });
  it('a typed list (DeploymentList) is walked; a kind that only starts with "List" is not a list; a Pod without a spec passes through', async () => {
    const typed = 'apiVersion: apps/v1\nkind: DeploymentList\nitems:\n  - kind: Deployment\n    metadata: {name: d}\n    spec:\n      template:\n        spec:\n          containers:\n            - name: app\n              image: nginx\n';
    assert.deepEqual((await inject(typed)).report.injected, ['Deployment d']);
    const listener = 'kind: Listener\nmetadata: {name: l}\nitems:\n  - kind: Pod\n    spec:\n      containers: [{name: a}]\n';
    const passed = (await inject(listener)).report;
    assert.deepEqual([passed.injected, passed.passedThrough], [[], 1]);
    const bare = (await inject('kind: Pod\nmetadata: {name: p}\n# containers: none yet\n')).report;
    assert.deepEqual([bare.injected, bare.passedThrough], [[], 1]);
  });

  it('JSON: appends to existing lists and adds missing ones', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', env: [{ name: 'X', value: '1' }], volumeMounts: [] }, { name: 'b' }], volumes: [{ name: 'data', emptyDir: {} }] } };
    const out = JSON.parse((await inject(JSON.stringify(pod))).text) as Pod;
    assert.deepEqual(out.spec.containers[0]?.env?.map((item) => item.name), ['X', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ENDPOINT_URL_STS', 'AWS_ENDPOINT_URL_S3', 'AWS_REGION']);
    assert.deepEqual(out.spec.containers[1]?.env?.length, 5);
    assert.deepEqual(out.spec.volumes?.map((volume) => volume.name), ['data', TOKEN_VOLUME]);
    assert.equal(out.spec.containers[0]?.volumeMounts?.length, 1);
  });

  it('static keys are refused with the way out', async () => {
    const keyed = 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      env: [{name: AWS_ACCESS_KEY_ID, value: AKIA}]\n';
    await assert.rejects(async () => inject(keyed), (error: unknown) => error instanceof UsageError && /Pod p: container app carries static keys/.test(error.message) && /minio-irsa\.io\/inject: "false"/.test(error.hint ?? '') && /--allow-static-keys/.test(error.hint ?? ''));
  });

  it('a YAML error names the line in the whole input, in a later document too', async () => {
    const text = 'kind: ConfigMap\nmetadata: {name: c}\n---\nkind: Pod\nspec:\n  containers: [\n    {name: a\n';
    await assert.rejects(async () => inject(text), (error: unknown) => error instanceof UsageError && /^test\.yaml:8 is not valid YAML/.test(error.message));
    await assert.rejects(async () => inject('kind: Pod\nspec:\n  containers: [\n'), (error: unknown) => error instanceof UsageError && /^test\.yaml:4 is not valid YAML/.test(error.message));
  });

  it('input without a final line break: the output has one; refused where that changes a block scalar the text ends in', async () => {
    const pod = (tail: string) => `${POD}      env:\n        - name: A\n          value: ${tail}`;
    const accepted = [['plain', 'plain'], ['|-\n            stripped', 'stripped'], ['|\n            line\n# comment', 'line\n'], ['|+\n            kept\n        - name: B\n          value: b', 'kept\n'], ['|', '']] as const;
    for (const [tail, value] of accepted) {
      const { text } = await inject(pod(tail));
      assert.ok(text.endsWith('\n'), text);
      assert.equal(envOf((parse(text) as Pod).spec.containers[0])['A'], value);
    }
    for (const tail of ['|\n            line', '>\n            folded', '|+\n            kept\n\n  ']) {
      await assert.rejects(
        async () => inject(pod(tail)),
        (error: unknown) => error instanceof UsageError && /^test\.yaml ends in a block scalar \(\| or >\) with no line break after its last line/.test(error.message) && /end the file with a line break/.test(error.hint ?? ''),
        tail,
      );
    }
  });

  it('values nested deeper than the walks can follow are refused in words, in JSON and YAML', async () => {
    const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const json = (depth: number) => `{"kind": "Pod", "spec": {"containers": [{"name": "a", "args": ${nested(depth)}}]}}`;
    const manifests = [json(20000), `kind: Pod\nspec:\n  containers:\n    - name: a\n      args: ${nested(20000)}\n`];
    for (const manifest of manifests) {
      await assert.rejects(async () => inject(manifest), (error: unknown) => error instanceof UsageError && error.message === 'test.yaml nests values deeper than inject can follow (a few thousand levels)', manifest.slice(0, 20));
    }
    const { report } = await inject(json(1000));
    assert.equal(report.injected.length, 1, 'a thousand levels are followed');
    // Only an exhausted stack: the parser's words about other input stay its own, whatever they quote.
    await assert.rejects(async () => inject('[Maximum call stack]'), (error: unknown) => error instanceof UsageError && /^test\.yaml is not valid JSON/.test(error.message));
  });

  it('the general path: keys without a value (`{disk}`, `? k`) are kept as keys with null (they were refused as if an alias were in the way)', async () => {
    const { text, report } = await inject('kind: Pod\nmetadata: {name: p}\nspec:\n  nodeSelector: {disk, zone: a}\n  ? tolerations\n  containers: [{name: app}]\n');
    assert.deepEqual(report.injected, ['Pod p']);
    const spec = (parse(text) as { spec: Record<string, unknown> }).spec;
    assert.deepEqual([spec['nodeSelector'], spec['tolerations']], [{ disk: null, zone: 'a' }, null]);
  });

  it('the general path (flow style where lines go): keeps comments, no leading "---" added, line-break characters escaped', async () => {
    const flow = '# leading comment\nkind: Pod\nmetadata:\n  name: p\n  annotations: {note: "a\\u2028b"}\nspec:\n  containers: [{name: app, image: nginx}]  # trailing\n';
    const { text } = (await inject(flow));
    assert.ok(text.startsWith('# leading comment\n'), text);
    assert.match(text, /# trailing/);
    assert.match(text, /"a\\u2028b"/);
    assert.ok(!text.includes('\u2028'));
    const second = (await inject(`kind: ConfigMap\nmetadata: {name: c}\n---\n${flow}`)).text;
    assert.equal(second.match(/^---$/gm)?.length, 1, 'one separator between the two documents');
  });
});

describe('inject over hostile data: every shape the parsers return', () => {
  const POD_WITH = (containerLines: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n${containerLines}`;

  it('a pod spec whose lists are not lists of mappings is refused in words, naming the place (YAML and JSON)', async () => {
    const cases: [string, string][] = [
      [POD_WITH('    - null\n'), 'containers[0] is not a mapping'],
      [POD_WITH('    - name: a\n      env: [null]\n'), 'containers[0].env[0] is not a mapping'],
      [POD_WITH('    - name: a\n      env: PATH=/bin\n'), 'containers[0].env is not a list'],
      [POD_WITH('    - name: a\n      volumeMounts: [~]\n'), 'containers[0].volumeMounts[0] is not a mapping'],
      ['kind: Pod\nmetadata: {name: p}\nspec:\n  volumes: [[]]\n  containers: [{name: a}]\n', 'volumes[0] is not a mapping'],
      ['kind: Pod\nmetadata: {name: p}\nspec:\n  initContainers: {name: a}\n  containers: [{name: b}]\n', 'initContainers is not a list'],
      ['{"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}, 7]}}', 'containers[1] is not a mapping'],
    ];
    for (const [manifest, where] of cases) {
      await assert.rejects(
        async () => inject(manifest),
        (error: unknown) => error instanceof UsageError && error.message === `Pod p: its pod spec's ${where} (kubectl refuses it too)` && /minio-irsa\.io\/inject: "false"/.test(error.hint ?? ''),
        manifest,
      );
    }
    // Opted out, it passes through as it is.
    const optedOut = 'kind: Pod\nmetadata: {name: p, annotations: {minio-irsa.io/inject: "false"}}\nspec:\n  containers: [null]\n';
    assert.equal((await inject(optedOut)).text, optedOut);
  });

  it('an alias without an anchor, or aliases that expand without end, are refused in words with the line (Go refuses both)', async () => {
    const head = 'kind: ConfigMap\n---\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: app}]\n';
    await assert.rejects(async () => inject(`${head}  nodeSelector: {a: &x b, c: *y}\n`), (error: unknown) => error instanceof UsageError && error.message === 'test.yaml:7: the alias *y names no anchor (&y) before it', 'unresolved');
    let laughs = '  x:\n    a0: &a0 [x, x]\n';
    for (let level = 1; level < 30; level++) laughs += `    a${level}: &a${level} [*a${level - 1}, *a${level - 1}]\n`;
    await assert.rejects(async () => inject(`${head}${laughs}`), (error: unknown) => error instanceof UsageError && /^test\.yaml:2: the aliases \(\*\) in this document expand into too many copies/.test(error.message), 'billion laughs');
    // After a document ended with "...", in the same piece of text: its own first line.
    await assert.rejects(async () => inject(`kind: ConfigMap\n...\n${head.slice(head.indexOf('kind: Pod'))}${laughs}`), (error: unknown) => error instanceof UsageError && /^test\.yaml:3: the aliases/.test(error.message), 'billion laughs after ...');
  });

  it('the general path writes numbers as Go read them: a leading zero is octal to YAML 1.1 (defaultMode: 0644 is 420)', async () => {
    const flow = 'kind: Pod\nmetadata: {name: p}\nspec:\n  volumes: [{name: c, configMap: {name: x, defaultMode: 0644}}]\n  containers: [{name: app, args: [-012, 09, 0o17, 0x1F, "0644"]}]\n';
    const { text } = await inject(flow);
    assert.match(text, /defaultMode: 420 \}/);
    assert.match(text, /args: \[ -10, 9, 0o17, 0x1f, "0644",? \]/);
    const tagged = (await inject('kind: Pod\nmetadata: {name: p, annotations: {mode: !!str 0644}}\nspec:\n  containers: [{name: app}]\n')).text;
    assert.match(tagged, /mode: !!str "0644" /, 'a string stays the string it is');
  });

  it('a plain key with its colon directly before "}", "]" or "," (Go reads "value:" as the key) is refused where inject re-writes', async () => {
    for (const flow of ['{name: A, value:}', '[{value:, name: A}]', '[a:]']) {
      const manifest = `kind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: app, x: ${flow}}]\n`;
      await assert.rejects(async () => inject(manifest), (error: unknown) => error instanceof UsageError && /^test\.yaml:4: a key written with its colon directly before "[}\],]"/.test(error.message) && error.hint === 'put a space after the colon', flow);
    }
    assert.equal((await inject('kind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: app, x: {a: , b: }}]\n')).report.injected.length, 1);
    // Quoted, the key ends at its quote for both readers.
    assert.equal((await inject('kind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: app, x: {"value":}}]\n')).report.injected.length, 1);
  });

  it('a pod spec without containers passes through, in YAML as in JSON (kubectl refuses it)', async () => {
    for (const manifest of ['kind: Pod\nmetadata: {name: p}\nspec:\n  containers: []\n  volumes: []\n', '{"kind": "Pod", "metadata": {"name": "p"}, "spec": {"initContainers": [{"name": "i"}]}}', 'kind: Pod\nmetadata: {name: p}\nspec:\n  containers: ~\n']) {
      const { text, report } = await inject(manifest);
      assert.deepEqual([report.injected, report.passedThrough], [[], 1], manifest);
      if (!manifest.startsWith('{')) assert.equal(text, manifest);
    }
  });

  it('JSON objects one after another, or one object and then YAML, read as kubectl reads them; anything else is not valid JSON', async () => {
    const pod = (name: string) => JSON.stringify({ kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    const stream = await inject(`${pod('a')}\n${pod('b')}${pod('c')}\n`);
    assert.deepEqual(stream.report.injected, ['Pod a', 'Pod b', 'Pod c']);
    assert.equal(stream.text.match(/^\{$/gm)?.length, 3, 'three objects, each written as JSON');
    const mixed = await inject(`${pod('a')}\n---\nkind: Pod\nmetadata: {name: y}\nspec:\n  containers:\n    - name: c\n`);
    assert.deepEqual(mixed.report.injected, ['Pod a', 'Pod y']);
    assert.ok(mixed.text.startsWith('{\n') && mixed.text.includes('}\n---\nkind: Pod\n'), mixed.text);
    // Errors in the YAML name lines of the whole input.
    await assert.rejects(async () => inject(`${pod('a')}\n---\nkind: Pod\nspec:\n  containers: [\n`), (error: unknown) => error instanceof UsageError && /^test\.yaml:6 is not valid YAML/.test(error.message));
    await assert.rejects(async () => inject(`${pod('a')}\n${pod('b')}\n---\nkind: Pod\n`), (error: unknown) => error instanceof UsageError && error.message === 'test.yaml:3: after 2 JSON objects, text that is not one (kubectl reads a stream of JSON objects, or one object and then YAML)');
    await assert.rejects(async () => inject('{"kind": "Pod",}\n'), (error: unknown) => error instanceof UsageError && /^test\.yaml is not valid JSON/.test(error.message));
    // A byte order mark is not white space to kubectl: such a file is YAML (a document that is a JSON object).
    const bom = await inject(`\ufeff${pod('a')}\n`);
    assert.deepEqual(bom.report.injected, ['Pod a']);
    assert.ok(bom.text.startsWith('\ufeff{\n  "kind": "Pod",'), bom.text);
  });

  it('a null list is an absent one (as the API reads it): the list is added', async () => {
    const { text } = await inject(POD_WITH('    - name: a\n      env: ~\n      volumeMounts: null\n'));
    const pod = parse(text) as Pod;
    assert.equal(envOf(pod.spec.containers[0])['AWS_ROLE_ARN'], settings.roleArn);
    assert.equal(pod.spec.containers[0]?.volumeMounts?.[0]?.name, TOKEN_VOLUME);
  });

  it('an empty item ("- # c", "-") above a less indented one ends its list, as Go reads it: the next container is injected too', async () => {
    // js-yaml took the next container into the empty item's list: container b was never seen.
    for (const empty of ['- # an empty item', '-', '- ', '-\t# c', '- - # c']) {
      const skipFirst = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {minio-irsa.io/skip-containers: a}\nspec:\n  containers:\n    - name: a\n      args:\n        ${empty}\n\n    - name: b\n      image: busybox\n`;
      const pod = parse((await inject(skipFirst)).text) as Pod;
      assert.deepEqual(pod.spec.containers.map((container) => container.name), ['a', 'b'], empty);
      assert.equal(envOf(pod.spec.containers[1])['AWS_ROLE_ARN'], settings.roleArn, empty);
      assert.equal(pod.spec.containers[0]?.env, undefined, empty);
    }
  });

  it('kinds named like what every JavaScript object has pass through', async () => {
    for (const kind of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
      const manifest = `kind: ${kind}\nmetadata: {name: x}\nspec:\n  containers: [{name: a}]\n`;
      const { text, report } = await inject(manifest);
      assert.deepEqual([text, report.passedThrough, report.injected], [manifest, 1, []], kind);
    }
  });

  it('keys written with YAML\'s own escapes or a tab where inject looks for its keys: injected, never a failure', async () => {
    for (const key of ['"a\\x41"', '"a\tb"', '"\\e"', '"\\N"', '"en\\x76"', '"volume\\x4dounts"']) {
      const manifest = `kind: Pod\nmetadata: {name: p}\nspec:\n  ${key}: 1\n  containers:\n    - name: app\n      ${key}: [{name: A, value: b}]\n`;
      const pod = parse((await inject(manifest)).text) as Pod;
      assert.equal(envOf(pod.spec.containers[0])['AWS_ROLE_ARN'], settings.roleArn, key);
      assert.equal(pod.spec.containers[0]?.volumeMounts?.at(-1)?.name, TOKEN_VOLUME, key);
    }
  });

  it('any value anywhere in a workload: injected, or refused in words, never another failure (seeded)', async () => {
    let seed = 12345;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed / 2147483648);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    // What JSON and YAML can hold, and what JavaScript's own names could be mistaken for.
    const values = (): unknown => pick<unknown>([null, 0, -1.5, true, '', 'constructor', [], {}, [null], [1, 'a'], { name: null }, { toString: 'x', valueOf: 1 }, { constructor: 1 }, [{ name: { toString: 1 } }], [{}]]);
    const workload = (): Record<string, unknown> => ({
      kind: pick(['Deployment', 'CronJob', 'Pod']),
      metadata: { name: 'w', annotations: { 'minio-irsa.io/skip-containers': 'b' } },
      spec: {
        containers: [{ name: 'p' }],
        jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c' }] } } } },
        template: { metadata: { annotations: {} }, spec: { volumes: [{ name: 'v' }], initContainers: [{ name: 'i', env: [] }], containers: [{ name: 'a', image: 'x', env: [{ name: 'X', value: 'y' }], volumeMounts: [{ name: 'v', mountPath: '/v' }] }, { name: 'b' }] } },
      },
    });
    const places = (value: unknown, path: (string | number)[] = [], found: (string | number)[][] = []): (string | number)[][] => {
      if (path.length > 0) found.push(path);
      if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) places(item, [...path, Array.isArray(value) ? Number(key) : key], found);
      return found;
    };
    const outcomes = { injected: 0, refused: 0 };
    for (let round = 0; round < 300; round++) {
      const object = round % 5 === 0 ? { kind: 'List', items: [workload(), values()] } : workload();
      for (let change = 0; change < 1 + Math.floor(random() * 3); change++) {
        const path = pick(places(object));
        const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, object);
        parent[path[path.length - 1] as string | number] = values();
      }
      for (const text of [JSON.stringify(object), stringify(object), stringify(object, { collectionStyle: 'flow' })]) {
        try {
          await injectManifests(text, 'w.yaml', settings, { allowStaticKeys: random() < 0.5 });
          outcomes.injected++;
        } catch (error) {
          assert.ok(error instanceof UsageError, `${(error as Error).message}\n${text}`);
          outcomes.refused++;
        }
      }
    }
    // Both outcomes happen: the values reach the places that matter.
    assert.ok(outcomes.injected > 200 && outcomes.refused > 200, JSON.stringify(outcomes));
  });
});

describe('a stream of JSON objects', () => {
  it('is cut where each object ends, over strings holding brackets, quotes and escapes', () => {
    const text = '{"a": "}\\"{[", "b": [{}]} \n{"c": "\\\\"}{"d": 1}\n  kind: x\n';
    const { objects, rest } = jsonObjects(text);
    assert.deepEqual(objects, [{ a: '}"{[', b: [{}] }, { c: '\\' }, { d: 1 }]);
    assert.equal(text.slice(rest), '  kind: x\n', 'the rest starts after the white space up to the line end, as kubectl reads it');
    assert.deepEqual(jsonObjects('{"a": 1} {"b": '), { objects: [{ a: 1 }], rest: 9 });
    assert.deepEqual(jsonObjects(' \n[1]'), { objects: [], rest: 0 }, 'no object: nothing is cut off');
    assert.equal(jsonObjects('{"a": 1}\n\n  ').rest, 12, 'white space alone after the last object is the end');
  });

  it('a YAML document that is one JSON object is found with the lines around it; anything else in it, or what Go reads otherwise, is not', () => {
    assert.deepEqual(jsonDocument('# c\n---  # d\n\n{"a": [1]} # e\n...\n# f\n'), { before: '# c\n---  # d\n\n', value: { a: [1] }, after: ' # e\n...\n# f\n' });
    assert.deepEqual(jsonDocument('---\r\n{"a": 1}\r\n'), { before: '---\r\n', value: { a: 1 }, after: '\r\n' });
    for (const text of ['--- {"a": 1}\n', '{"a": 1}\nb: 2\n', '{"a": 1}\n...\n{"b": 2}\n', ' {"a": 1}\n', '{"a": 1\n', '{"a": "x\\/y"}\n', '{"a": "\\uD83D\\uDE00"}\n', '{"a": "x \u2028"}\n', '{"a": "\u0085"}\n', '{"a": 1, b: 2}\n']) {
      assert.equal(jsonDocument(text), undefined, JSON.stringify(text));
    }
  });

  it('inject: such a document is written as JSON where it changes, byte for byte where it does not', async () => {
    const pod = (annotations: string) => `{"kind": "Pod", "metadata": {"name": "p", "annotations": {${annotations}}}, "spec": {"containers": [{"name": "a"}]}}`;
    const optedOut = `---\n${pod('"minio-irsa.io/inject": "false"')}  # kept\n`;
    assert.equal((await inject(`kind: ConfigMap\n${optedOut}`)).text, `kind: ConfigMap\n${optedOut}`);
    const { text, report } = await inject(`# head\n${pod('')}  # tail\n`);
    assert.deepEqual(report.injected, ['Pod p']);
    assert.ok(text.startsWith('# head\n{\n  "kind": "Pod",') && text.endsWith('\n}  # tail\n'), text);
    assert.equal((JSON.parse(text.slice(7, -8)) as Pod).spec.containers[0]?.env?.length, 5);
  });
});
