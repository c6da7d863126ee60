import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, type CliResult } from '../helpers/cli.js';
import { Cluster, type Binaries, type ClusterOptions } from './kube.js';
import { Minio } from './minio.js';

export { Cluster, K3S_DEFAULT_ISSUER } from './kube.js';
export { Minio } from './minio.js';

// The real test rig: etcd, kube-apiserver and MinIO on 127.0.0.1, free ports, a temporary
// directory, all stopped by stop() (and killed if this process dies). Used by the e2e
// tests and by the sandbox demo.

export interface RigBinaries extends Binaries {
  kubectl: string;
  minio: string;
  mc: string;
  aws: string;
  /** Go's YAML parser as kubectl uses it (test/goyaml). */
  goyaml: string;
  /** litestream v0.3.x and v0.5.x, real clients of the generated policies. */
  litestream03: string;
  litestream05: string;
  /** The real Helm (post-renderer tests). */
  helm: string;
  /** Popular charts (metrics-server, ingress-nginx, cert-manager) as their Go modules ship them: name to directory. */
  charts: Record<string, string>;
}

/** podman, its configuration for this machine, and the stand-in node base image (the image test). */
export interface ImageTools {
  podman: string;
  podmanConf: string;
  nodeBase: string;
}

const script = fileURLToPath(new URL('../../scripts/provision.sh', import.meta.url));
const provisionWith = (args: string[]): unknown => JSON.parse(execFileSync('bash', [script, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop() ?? '{}');

let provisioned: RigBinaries | undefined;
/** Runs scripts/provision.sh (about 10 ms when warm; builds on a cold machine). */
export function provision(): RigBinaries {
  provisioned ??= provisionWith([]) as RigBinaries;
  return provisioned;
}

/** provision.sh --with-image: what the image test needs besides the rig (the demo does not). */
export function provisionImageTools(): ImageTools {
  return provisionWith(['--with-image']) as ImageTools;
}

export interface RigOptions extends ClusterOptions {
  /** Start MinIO too (default true). */
  minio?: boolean;
}

export class Rig {
  readonly cluster: Cluster;
  readonly minio: Minio | undefined;
  private failed = false;

  private constructor(
    readonly dir: string,
    readonly binaries: RigBinaries,
    options: RigOptions,
  ) {
    this.cluster = new Cluster(dir, binaries, options);
    this.minio = options.minio === false ? undefined : new Minio(dir, binaries.minio);
  }

  static async start(options: RigOptions = {}): Promise<Rig> {
    const binaries = provision();
    const dir = mkdtempSync(join(tmpdir(), 'minio-irsa-rig-'));
    const rig = new Rig(dir, binaries, options);
    try {
      await Promise.all([rig.cluster.start(), rig.minio?.start()]);
    } catch (error) {
      rig.failed = true;
      await rig.stop();
      throw error;
    }
    return rig;
  }

  /** The MinIO of a rig started with it. */
  get s3(): Minio {
    if (!this.minio) throw new Error('this rig was started without MinIO');
    return this.minio;
  }

  /** The real kubectl, as the cluster admin. */
  kubectl(args: string[], input?: string): Promise<CliResult> {
    return run(this.binaries.kubectl, ['--kubeconfig', this.cluster.kubeconfig, ...args], input === undefined ? {} : { input });
  }

  /** Where each server's log is: named in failure messages. */
  logs(): string {
    return [this.cluster.etcd, this.cluster.apiserver, this.minio?.process].filter((p) => p).map((p) => `${p?.name}: ${p?.logFile}`).join('\n');
  }

  /** Keep the directory (logs, certs) after stop, because something failed. */
  markFailed(): void {
    this.failed = true;
  }

  async stop(): Promise<void> {
    await Promise.all([this.minio?.stop(), this.cluster.stop()]);
    if (this.failed || process.env['MINIO_IRSA_KEEP_RIG'] === '1') {
      process.stderr.write(`rig: logs kept in ${this.dir}\n${this.logs()}\n`);
    } else {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
