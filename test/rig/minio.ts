import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagedProcess, freePort } from './process.js';

/** A real MinIO server on loopback, restartable with new environment (OpenID settings). */
export class Minio {
  readonly process: ManagedProcess;
  readonly rootUser = 'rig-admin';
  // Starts with a letter: a leading '-' would make mc read the password as a flag.
  readonly rootPassword = `k${randomBytes(18).toString('base64url')}`;
  readonly dataDir: string;
  readonly certsDir: string;
  port = 0;
  consolePort = 0;
  env: Record<string, string> = {};

  constructor(
    readonly dir: string,
    private readonly binary: string,
  ) {
    this.process = new ManagedProcess('minio', join(dir, 'minio.log'));
    this.dataDir = join(dir, 'minio-data');
    this.certsDir = join(dir, 'minio-certs');
    mkdirSync(join(this.certsDir, 'CAs'), { recursive: true });
    mkdirSync(this.dataDir, { recursive: true });
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** MinIO reads <certs-dir>/CAs/ at startup only: restart after installing a CA. */
  installCa(fileName: string, pem: string): void {
    writeFileSync(join(this.certsDir, 'CAs', fileName), pem);
  }

  async start(env: Record<string, string> = this.env): Promise<void> {
    if (this.port === 0) {
      this.port = await freePort();
      this.consolePort = await freePort();
    }
    this.env = env;
    this.process.start(
      this.binary,
      ['server', '--address', `127.0.0.1:${this.port}`, '--console-address', `127.0.0.1:${this.consolePort}`, '--certs-dir', this.certsDir, this.dataDir],
      { MINIO_ROOT_USER: this.rootUser, MINIO_ROOT_PASSWORD: this.rootPassword, MINIO_UPDATE: 'off', MINIO_BROWSER: 'off', ...env },
    );
    // live answers before IAM and the admin API are up; ready waits for them.
    await this.process.waitUntil('/minio/health/ready', async () => (await fetch(`${this.endpoint}/minio/health/ready`)).ok, 60_000);
  }

  /** Stop and start again with `env`; the data directory (users, policies, buckets) stays. */
  async restart(env: Record<string, string>): Promise<void> {
    await this.process.stop();
    await this.start(env);
  }

  async stop(): Promise<void> {
    await this.process.stop();
  }
}
