import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { httpsRequest, type HttpsResult } from './https.js';
import { makeCa, makeLeaf, makeSigningKey, type KeyPair, type SigningKey } from './pki.js';
import { ManagedProcess, freePort } from './process.js';

export const K3S_DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface ClusterOptions {
  /** on (default): --anonymous-auth=true; off: false; an AuthenticationConfiguration YAML: restricted. */
  anonymous?: 'on' | 'off' | { authenticationConfig: string };
  /** Play a k3s cluster: +k3s1 version, k3s's default issuer and an explicit jwks uri. */
  k3s?: boolean;
}

export interface Binaries {
  etcd: string;
  kubeApiserver: string;
  kubeApiserverK3s: string;
}

/** etcd plus a real kube-apiserver on loopback, with an admin kubeconfig. */
export class Cluster {
  readonly etcd: ManagedProcess;
  readonly apiserver: ManagedProcess;
  ca!: KeyPair;
  admin!: KeyPair;
  serviceAccountKey!: SigningKey;
  port = 0;
  issuer = '';
  kubeconfig = '';
  private args: string[] = [];
  private binary = '';

  constructor(
    readonly dir: string,
    private readonly binaries: Binaries,
    readonly options: ClusterOptions = {},
  ) {
    this.etcd = new ManagedProcess('etcd', join(dir, 'etcd.log'));
    this.apiserver = new ManagedProcess('kube-apiserver', join(dir, 'kube-apiserver.log'));
  }

  get server(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  get configUrl(): string {
    return `${this.server}/.well-known/openid-configuration`;
  }

  async start(): Promise<void> {
    const dir = this.dir;
    const [etcdClient, etcdPeer] = [await freePort(), await freePort()];
    this.etcd.start(this.binaries.etcd, [
      '--name', 'rig', '--data-dir', join(dir, 'etcd-data'),
      '--listen-client-urls', `http://127.0.0.1:${etcdClient}`, '--advertise-client-urls', `http://127.0.0.1:${etcdClient}`,
      '--listen-peer-urls', `http://127.0.0.1:${etcdPeer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${etcdPeer}`,
      '--initial-cluster', `rig=http://127.0.0.1:${etcdPeer}`, '--log-level', 'warn',
    ], { ETCD_UNSUPPORTED_ARCH: process.arch === 'x64' ? undefined : process.arch });
    await this.etcd.waitUntil('etcd health', async () => (await fetch(`http://127.0.0.1:${etcdClient}/health`)).ok, 30_000);

    this.ca = makeCa(dir, 'cluster-ca', 'rig-cluster-ca');
    const serving = makeLeaf(dir, 'apiserver', this.ca, {
      subject: '/CN=kube-apiserver',
      sans: ['IP:127.0.0.1', 'DNS:localhost', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local'],
      usage: 'server',
    });
    // k3s serves its certificate chain with the server CA in it; plain kubeadm only the leaf.
    if (this.options.k3s) writeFileSync(serving.cert, `${serving.certPem}${this.ca.certPem}`);
    this.admin = makeLeaf(dir, 'admin', this.ca, { subject: '/O=system:masters/CN=rig-admin', usage: 'client' });
    this.serviceAccountKey = makeSigningKey(dir, 'service-account');
    this.port = await freePort();
    this.issuer = this.options.k3s ? K3S_DEFAULT_ISSUER : this.server;

    const args = [
      '--etcd-servers', `http://127.0.0.1:${etcdClient}`,
      '--bind-address', '127.0.0.1', '--advertise-address', '127.0.0.1', '--secure-port', String(this.port),
      '--tls-cert-file', serving.cert, '--tls-private-key-file', serving.key,
      '--client-ca-file', this.ca.cert,
      '--service-account-issuer', this.issuer,
      '--service-account-key-file', this.serviceAccountKey.publicKey,
      '--service-account-signing-key-file', this.serviceAccountKey.privateKey,
      '--service-cluster-ip-range', '10.0.0.0/24',
      '--authorization-mode', 'RBAC',
      '--enable-priority-and-fairness=false',
      '--profiling=false',
    ];
    if (this.options.k3s) args.push('--service-account-jwks-uri', `${this.server}/openid/v1/jwks`);
    const anonymous = this.options.anonymous ?? 'on';
    if (typeof anonymous === 'object') {
      const file = join(dir, 'authn-config.yaml');
      writeFileSync(file, anonymous.authenticationConfig);
      args.push('--authentication-config', file);
    } else {
      args.push(`--anonymous-auth=${anonymous === 'on'}`);
    }
    this.args = args;
    this.binary = this.options.k3s ? this.binaries.kubeApiserverK3s : this.binaries.kubeApiserver;
    await this.startApiserver();
    this.kubeconfig = this.writeKubeconfig();
  }

  private async startApiserver(extraArgs: string[] = []): Promise<void> {
    this.apiserver.start(this.binary, [...this.args, ...extraArgs]);
    await this.apiserver.waitUntil('/readyz', async () => (await this.request('GET', '/readyz')).status === 200, 120_000);
  }

  /** Stop only the apiserver (etcd keeps the state), to test a server that goes away. */
  async stopApiserver(): Promise<void> {
    await this.apiserver.stop();
  }

  /** Restart it, with `extraArgs` for this run only (a later restart drops them). */
  async restartApiserver(extraArgs: string[] = []): Promise<void> {
    await this.apiserver.stop();
    await this.startApiserver(extraArgs);
  }

  /** A kubeconfig for another user (client certificate CN=user, O=groups), e.g. without admin rights. */
  userKubeconfig(user: string, groups: string[] = []): string {
    const subject = `${groups.map((group) => `/O=${group}`).join('')}/CN=${user}`;
    return this.writeKubeconfig(makeLeaf(this.dir, `user-${user}`, this.ca, { subject, usage: 'client' }), `kubeconfig-${user}`);
  }

  /** The admin kubeconfig with no CA at all: insecure-skip-tls-verify, as some users have. */
  insecureKubeconfig(): string {
    const file = join(this.dir, 'kubeconfig-insecure');
    writeFileSync(file, readFileSync(this.kubeconfig, 'utf8').replace(/certificate-authority-data: .*/, 'insecure-skip-tls-verify: true'), { mode: 0o600 });
    return file;
  }

  private writeKubeconfig(client: KeyPair = this.admin, name = 'kubeconfig'): string {
    const file = join(this.dir, name);
    const b64 = (path: string): string => readFileSync(path).toString('base64');
    writeFileSync(
      file,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'rig', cluster: { server: this.server, 'certificate-authority-data': b64(this.ca.cert) } }],
        users: [{ name: 'rig-admin', user: { 'client-certificate-data': b64(client.cert), 'client-key-data': b64(client.key) } }],
        contexts: [{ name: 'rig', context: { cluster: 'rig', user: 'rig-admin' } }],
        'current-context': 'rig',
      }),
      { mode: 0o600 },
    );
    return file;
  }

  /** As the cluster admin (client certificate). */
  request(method: string, path: string, body?: unknown): Promise<HttpsResult> {
    return httpsRequest(`${this.server}${path}`, {
      method,
      ca: this.ca.certPem,
      cert: readFileSync(this.admin.cert, 'utf8'),
      key: readFileSync(this.admin.key, 'utf8'),
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
  }

  /** Without any credentials, as MinIO will ask. */
  anonymous(path: string): Promise<HttpsResult> {
    return httpsRequest(`${this.server}${path}`, { ca: this.ca.certPem });
  }

  /** RBAC changes reach the authorizer through a cache: wait (bounded) until they show. */
  async waitForAnonymousStatus(path: string, status: number, timeoutMs = 15_000): Promise<HttpsResult> {
    const deadline = Date.now() + timeoutMs;
    let result = await this.anonymous(path);
    while (result.status !== status && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      result = await this.anonymous(path);
    }
    return result;
  }

  private async create(path: string, body: unknown): Promise<void> {
    const result = await this.request('POST', path, body);
    if (result.status !== 201 && result.status !== 409) throw new Error(`POST ${path}: ${result.status} ${result.body}`);
  }

  async createNamespace(name: string): Promise<void> {
    await this.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }

  /** No controller-manager here: ServiceAccounts and kube-root-ca.crt are made by hand. */
  async createServiceAccount(namespace: string, name: string): Promise<void> {
    await this.createNamespace(namespace);
    await this.create(`/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
  }

  async createRootCaConfigMap(namespace: string): Promise<void> {
    await this.createNamespace(namespace);
    await this.create(`/api/v1/namespaces/${namespace}/configmaps`, {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace }, data: { 'ca.crt': this.ca.certPem },
    });
  }

  /** A real token from the TokenRequest API. */
  async requestToken(namespace: string, serviceAccount: string, audience: string, expirationSeconds = 3600): Promise<string> {
    const path = `/api/v1/namespaces/${namespace}/serviceaccounts/${serviceAccount}/token`;
    const result = await this.request('POST', path, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [audience], expirationSeconds } });
    if (result.status !== 201) throw new Error(`TokenRequest ${path}: ${result.status} ${result.body}`);
    return (JSON.parse(result.body) as { status: { token: string } }).status.token;
  }

  async stop(): Promise<void> {
    await this.apiserver.stop();
    await this.etcd.stop();
  }
}
