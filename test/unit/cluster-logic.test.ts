import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anonymousAuthFromNodeArgs, detect } from '../../src/kube/detect.js';
import { anonymousRemediation, remediationFor, supportsAuthnConfig } from '../../src/kube/remediation.js';
import { decodeJwt, summarizeToken } from '../../src/jwt.js';

const version = (gitVersion: string, minor = '34') => ({ gitVersion, major: '1', minor });
const node = (labels: Record<string, string> = {}, annotations: Record<string, string> = {}, providerID?: string) => ({ name: 'n1', labels, annotations, providerID });

describe('distribution detection', () => {
  const cases: [string, ReturnType<typeof detect>['distribution'], ReturnType<typeof node>[], string][] = [
    ['v1.34.4+k3s1', 'k3s', [], '/version'],
    ['v1.33.1+rke2r1', 'rke2', [], '/version'],
    ['v1.32.2+k0s', 'k0s', [], '/version'],
    ['v1.31.5-eks-1234567', 'eks', [], '/version'],
    ['v1.30.8-gke.1051000', 'gke', [], '/version'],
    ['v1.30.0', 'aks', [node({ 'kubernetes.azure.com/cluster': 'x' })], 'label kubernetes.azure.com/cluster'],
    ['v1.31.0', 'kind', [node({}, {}, 'kind://docker/kind/kind-control-plane')], 'providerID kind://'],
    ['v1.31.0', 'minikube', [node({ 'minikube.k8s.io/version': 'v1.34.0' })], 'label minikube.k8s.io/version'],
    ['v1.31.0', 'microk8s', [node({ 'microk8s.io/cluster': 'true' })], 'label microk8s.io/cluster'],
    ['v1.31.0', 'k3s', [node({ 'node.kubernetes.io/instance-type': 'k3s' })], 'instance-type=k3s'],
    ['v1.34.4', 'kubernetes', [], 'no distribution marker'],
  ];
  for (const [gitVersion, expected, nodes, evidence] of cases) {
    it(`${gitVersion}${nodes.length ? ' + node metadata' : ''} -> ${expected}`, () => {
      const detection = detect(version(gitVersion), nodes);
      assert.equal(detection.distribution, expected);
      assert.match(detection.evidence.join('\n'), new RegExp(evidence.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
      assert.equal(detection.minor, 34);
    });
  }
  it('reads anonymous-auth from k3s node args, in both argv forms', () => {
    assert.equal(anonymousAuthFromNodeArgs('["server","--kube-apiserver-arg","anonymous-auth=true"]'), true);
    assert.equal(anonymousAuthFromNodeArgs('["server","--kube-apiserver-arg=anonymous-auth=false"]'), false);
    assert.equal(anonymousAuthFromNodeArgs('["server","--disable","traefik"]'), undefined);
    assert.equal(anonymousAuthFromNodeArgs('not json'), undefined);
    const detection = detect(version('v1.34.1+k3s1'), [node({}, { 'k3s.io/node-args': '["server","--kube-apiserver-arg","anonymous-auth=true"]' })]);
    assert.equal(detection.anonymousAuthArg, true);
    assert.match(detection.evidence.join('\n'), /node args set anonymous-auth=true/);
  });
  it('"34+" style minor versions still parse', () => {
    assert.equal(detect(version('v1.34.0-gke.1', '34+'), []).minor, 34);
  });
});

describe('remediation', () => {
  const k3s = detect(version('v1.34.4+k3s1'), []);
  const oldK3s = detect(version('v1.30.4+k3s1', '30'), []);
  const kubeadm = detect(version('v1.33.0', '33'), []);
  it('recommends the path-restricted AuthenticationConfiguration from 1.32, with v1 from 1.34', () => {
    assert.equal(supportsAuthnConfig(k3s), true);
    assert.equal(supportsAuthnConfig(oldK3s), false);
    const lines = anonymousRemediation(k3s).join('\n');
    assert.match(lines, /render authn-config --api-version v1 /);
    assert.match(lines, /\/etc\/rancher\/k3s\/config\.yaml/);
    assert.match(anonymousRemediation(kubeadm).join('\n'), /--api-version v1beta1[\s\S]*remove any --anonymous-auth flag/);
  });
  it('before 1.32 only anonymous-auth=true is offered', () => {
    const lines = anonymousRemediation(oldK3s).join('\n');
    assert.doesNotMatch(lines, /authn-config/);
    assert.match(lines, /"anonymous-auth=true"[\s\S]*systemctl restart k3s/);
  });
  it('RKE2 and managed clusters get their own answer', () => {
    assert.match(anonymousRemediation(detect(version('v1.34.1+rke2r1'), [])).join('\n'), /\/etc\/rancher\/rke2\/config\.yaml[\s\S]*rke2-server/);
    assert.match(anonymousRemediation(detect(version('v1.31.5-eks-1'), [])).join('\n'), /public OIDC URL/);
  });
  it('maps every probe state to a fix', () => {
    assert.deepEqual(remediationFor('public', k3s), []);
    assert.match(remediationFor('rbac-missing', k3s).join('\n'), /minio-irsa cluster apply/);
    assert.match(remediationFor('not-served', k3s).join('\n'), /https --service-account-issuer/);
  });
});

describe('token decoding', () => {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const token = `${b64({ alg: 'RS256', kid: 'k1' })}.${b64({ iss: 'https://k', sub: 'system:serviceaccount:a:b', aud: 'sts.amazonaws.com', exp: 2000, iat: 1000 })}.sig`;
  it('shows claims, never the signature', () => {
    const summary = summarizeToken(token, 1_500_000);
    assert.deepEqual(summary, { kid: 'k1', alg: 'RS256', iss: 'https://k', sub: 'system:serviceaccount:a:b', aud: ['sts.amazonaws.com'], iat: '1970-01-01T00:16:40.000Z', exp: '1970-01-01T00:33:20.000Z', expiresInSeconds: 500 });
    assert.ok(!JSON.stringify(summary).includes('sig'));
  });
  it('rejects what is not a JWT', () => {
    assert.throws(() => decodeJwt('abc'), /three parts/);
    assert.throws(() => decodeJwt('a.b.c'), /not base64url JSON/);
  });
});
