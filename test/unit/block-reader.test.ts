import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CORE_SCHEMA, load } from 'js-yaml';
import { readBlock } from '../../src/inject/block-reader.js';
import { readFast } from '../../src/inject/fast-path.js';
import { splitDocuments } from '../../src/inject/manifests.js';
import { BlockYamlGenerator } from '../helpers/block-yaml-generator.js';
import { ManifestGenerator } from '../helpers/manifest-generator.js';

// inject's plain-YAML reader must read exactly what js-yaml (core schema) reads, or decline:
// the fast path's proofs were made with js-yaml's reading.

// BLOCK_READER_SEEDS=400000 runs the generated cases a hundred times longer (under a minute).
const SEEDS = Number(process.env['BLOCK_READER_SEEDS'] ?? 4000);

/** Values as text that tells apart what deepEqual might not: -0, NaN, infinities, key order. */
const exact = (value: unknown): string => JSON.stringify(value, (_key, item: unknown) => (typeof item === 'number' && (Object.is(item, -0) || !Number.isFinite(item)) ? `number ${String(Object.is(item, -0) ? '-0' : item)}` : item));

function jsYaml(text: string): { value?: unknown; error?: string } {
  try {
    return { value: load(text, { schema: CORE_SCHEMA }) };
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0] ?? 'error' };
  }
}

/** Reads `text` with both; returns whether the reader took it. Fails where it took it otherwise than js-yaml. */
function agrees(text: string): boolean {
  const mine = readBlock(text);
  if (mine === undefined) return false;
  const reference = jsYaml(text);
  assert.equal(reference.error, undefined, `the reader read what js-yaml refuses:\n${text}`);
  assert.equal(exact(mine), exact(reference.value), `read otherwise than js-yaml:\n${text}`);
  return true;
}

describe('plain block YAML reader', () => {
  it('reads manifests as kubectl and charts write them, as js-yaml does', () => {
    const deployment = [
      '---',
      '# Source: chart/templates/deployment.yaml',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      '  labels: {app: web, tier: frontend, zone: z9, _x: a_z, version: 0.9.9, build: -z}',
      '  note: "x" # a comment after a quoted value',
      '  annotations:',
      '    prometheus.io/port: "8080"',
      '    "helm.sh/hook": pre-install,pre-upgrade',
      "    'helm.sh/hook-weight': \"-5\"",
      '    "1": quoted keys are not resolved',
      '    "": empty',
      '    k8s9.io/x9: nine',
      "    note: 'it''s'",
      'spec:',
      '  replicas: 2',
      '  template:',
      '    spec:',
      '      containers:',
      '      - name: web',
      '        image: nginx:1.27',
      '        args: [--port, "8080", -v]',
      '        ports: [{name: http, containerPort: 8080}]',
      '        env:',
      '          -   name: LOG_LEVEL   # verbosity',
      '              value: info',
      '          - name: EMPTY',
      '            value:',
      '        resources: {limits: {cpu: 500m, memory: 256Mi}}',
      '        securityContext: {readOnlyRootFilesystem: true, runAsUser: 1000}',
      '      volumes: []',
      '      nodeSelector: {}',
      '      priority: ~',
      '',
    ].join('\n');
    assert.equal(agrees(deployment), true);
    assert.equal(agrees(deployment.trimEnd()), true);
    // A pod spec's lines alone, as the read-back has them: indented.
    const lines = deployment.split('\n');
    assert.equal(agrees(lines.slice(lines.indexOf('    spec:') + 1, lines.indexOf('      volumes: []')).join('\n')), true);
  });

  it('reads literal block scalars (|, |-, |+) as js-yaml does: last-applied-configuration, scripts, blank lines, the end of the text', () => {
    const kubectl = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  annotations:',
      '    kubectl.kubernetes.io/last-applied-configuration: |',
      '      {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},"name":"web"}}',
      '  name: web',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '      - name: job',
      '        args:',
      '        - |-',
      '          set -e',
      '',
      '            # indented, and not a comment',
      '          echo done',
      '        - |+',
      '          kept',
      '',
      '        command: [sh, -c]',
      '',
    ].join('\n');
    assert.equal(agrees(kubectl), true);
    for (const text of ['a: |\n  x\n\n\nb: 1\n', 'a: |\n  x\n   \n  y\n', 'a: |+\n  x\n\n', 'a: |-\n  x', 'a: |\n  x', 'a: | # header comment\n    x\n    y\n', '- |\n  x\n- y\n', 'a:\n  - |\n   x\n  - y\n', 'a: |\n    x\n  \n    y\n', 'a: |\n\n  x\n', 'a: |+\n\n\n  x\n\n']) {
      assert.equal(agrees(text), true, JSON.stringify(text));
    }
  });

  it('resolves plain scalars and keys with js-yaml’s core schema', () => {
    for (const scalar of ['~', 'null', 'NULL', 'true', 'False', '1', '-0', '0x1F', '0o17', '012', '1_000', '1e3', '.5', '-.inf', '.NaN', '1e400', '9007199254740993', 'yes', 'on', '2001-12-14', '--port=80', '-1']) {
      assert.equal(agrees(`a: ${scalar}\nb: [${scalar}]\nc: {d: ${scalar}}\n`), true, scalar);
    }
    // A ":" in a flow scalar is declined there (js-yaml reads it in places as a key), not in a block one.
    for (const scalar of ['12:30', 'nginx:1.27', 'http://x:80']) assert.equal(agrees(`a: ${scalar}\n`), true, scalar);
    for (const key of ['1', '0x1F', '1e3', 'true', 'null', '1_0', 'constructor', 'toString']) assert.equal(agrees(`${key}: v\n`), true, key);
  });

  it('declines what is outside its subset, whatever js-yaml makes of it', () => {
    const outside = [
      'a: &x 1\nb: *x\n', // anchors and aliases
      'a: !!str 1\n', // tags
      'a: >\n  text\n', // folded block scalars
      'a: |2\n   text\n', // an indentation indicator
      'a: |\n\nb: 1\n', // an empty literal
      'a: |\n    \n  text\n', // a blank line with spaces before the first line
      'a: |#c\n  text\n',
      'a: "\\t"\n', // escapes
      'a: b\n  c\n', // multi-line plain scalar
      'a: [b,\n  c]\n', // multi-line flow
      '"a\\x": 1\n', // quoted keys with an escape or a quote in them
      "'it''s': 1\n",
      '"a" : 1\n',
      '"a":1\n',
      '"a\n": 1\n', // a quoted key over two lines
      '? a\n: 1\n', // explicit keys
      'a: 1\na: 2\n', // repeated keys (js-yaml refuses)
      '{a: 1, a: 2}\n',
      'a: {b: 1, b: 2}\n',
      '__proto__: {a: 1}\n',
      '<<: {a: 1}\n', // a plain merge key
      'a:\n- # nothing\n- b\n', // empty items
      'a:\n  - - b\n', // a sequence in a sequence item
      'a: 1\n---\nb: 2\n', // a second document
      '--- a: 1\n',
      '%YAML 1.2\n---\na: 1\n',
      'a: 1\n...\n',
      'a:\tb\n', // a tab
      'a: b\r\n', // CRLF
      'a: é\n', // outside ASCII
      'a: \u0007\n',
      '# only a comment\n',
      '',
      'a: [b, ]\n',
      'a: {b: }\n',
      'a: b: c\n',
      'a: b:\n',
      'a:b\n',
      '- a\nb: 1\n',
      'a: 1\n b: 2\n',
      'a: "x" y\n', // js-yaml refuses
      'a: [x] y\n',
      'a: [x]#c\n', // js-yaml takes a comment with no space before it, Go does not
      'a: "x"#c\n',
      'a: [a#b]\n',
      'a: {: x}\n', // a keyless entry (Go refuses it)
      'a: {"b": 1}\n',
      'a: [a[b]\n',
      'a: [x, -]\n',
      'a: - x\n',
      '- -\n',
      '-\n  a: 1\n', // an empty item, then a node below it
      '- \n',
      'a:\n  - \n  - b\n',
    ];
    for (const text of outside) assert.equal(readBlock(text), undefined, JSON.stringify(text));
    // A quoted "<<" is a key like any to js-yaml, and read so; Go merges there, and the fast
    // path's plan (readFast) leaves any "<<" to the general path, before the reader.
    for (const text of ['"<<": {a: 1}\n', "a:\n  '<<': {a: 1}\n"]) {
      assert.equal(agrees(text), true, JSON.stringify(text));
      assert.equal(readFast(text), undefined, JSON.stringify(text));
    }
  });

  it('agrees with js-yaml on generated block YAML and mutations of it, and takes most unmutated documents', () => {
    let taken = 0;
    let documents = 0;
    for (let seed = 1; seed <= SEEDS; seed++) {
      const generator = new BlockYamlGenerator(seed);
      let text = generator.document();
      documents++;
      if (agrees(text)) taken++;
      for (let round = 0; round < 4; round++) {
        text = generator.mutate(text);
        agrees(text);
      }
    }
    // The generator writes much that is declined on purpose; a reader that declined everything would agree too.
    assert.ok(taken > documents * 0.1, `took ${taken} of ${documents} generated documents`);
  });

  it('agrees with js-yaml on generated manifests, their mutations and any run of their lines', () => {
    let taken = 0;
    for (let seed = 1; seed <= SEEDS / 6; seed++) {
      const generator = new ManifestGenerator(seed);
      let text = generator.manifest();
      for (let round = 0; round < 4; round++) {
        for (const chunk of splitDocuments(text)) {
          if (agrees(chunk)) taken++;
          const lines = chunk.split('\n');
          const from = (seed * 7 + round) % lines.length;
          agrees(lines.slice(from, from + 1 + ((seed + round) % lines.length)).join('\n'));
        }
        text = generator.mutate(text);
      }
    }
    assert.ok(taken > 100, `took ${taken} manifests`);
  });

  it('takes a Deployment as helm renders a popular chart (metrics-server)', () => {
    const rendered = [
      '---',
      '# Source: metrics-server/templates/deployment.yaml',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: rel-metrics-server',
      '  namespace: apps',
      '  labels:',
      '    helm.sh/chart: metrics-server-3.13.0',
      '    app.kubernetes.io/name: metrics-server',
      '    app.kubernetes.io/version: "0.8.0"',
      'spec:',
      '  replicas: 1',
      '  revisionHistoryLimit: ',
      '  strategy:',
      '    rollingUpdate:',
      '      maxUnavailable: 0',
      '  template:',
      '    metadata:',
      '      labels:',
      '        app.kubernetes.io/name: metrics-server',
      '    spec:',
      '      schedulerName: ',
      '      serviceAccountName: rel-metrics-server',
      '      priorityClassName: "system-cluster-critical"',
      '      containers:',
      '        - name: metrics-server',
      '          securityContext:',
      '            allowPrivilegeEscalation: false',
      '            capabilities:',
      '              drop:',
      '              - ALL',
      '            readOnlyRootFilesystem: true',
      '            runAsNonRoot: true',
      '            runAsUser: 1000',
      '            seccompProfile:',
      '              type: RuntimeDefault',
      '          image: registry.k8s.io/metrics-server/metrics-server:v0.8.0',
      '          imagePullPolicy: IfNotPresent',
      '          args:',
      '            - --secure-port=10250',
      '            - --cert-dir=/tmp',
      '            - --kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
      '            - --metric-resolution=15s',
      '          ports:',
      '          - name: https',
      '            protocol: TCP',
      '            containerPort: 10250',
      '          livenessProbe:',
      '            failureThreshold: 3',
      '            httpGet:',
      '              path: /livez',
      '              port: https',
      '              scheme: HTTPS',
      '            initialDelaySeconds: 0',
      '          volumeMounts:',
      '            - name: tmp',
      '              mountPath: /tmp',
      '          resources:',
      '            requests:',
      '              cpu: 100m',
      '              memory: 200Mi',
      '      volumes:',
      '        - name: tmp',
      '          emptyDir: {}',
      '',
    ].join('\n');
    assert.equal(agrees(rendered), true);
  });
});
