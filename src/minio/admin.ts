import { printable } from '../encode.js';
import { OperationError } from '../errors.js';
import { httpRequest, NetworkError, type HttpResponse } from '../net.js';
import { registerSecret } from '../secrets.js';
import { decryptData, encryptData } from './madmin-crypto.js';
import { assertMinio } from './recognise.js';
import { signV4 } from './sigv4.js';
import { remainingMs } from '../timeout.js';

// MinIO's admin API (what `mc admin` speaks): SigV4 with service "s3", bodies of the
// idp-config calls encrypted with the caller's secret key.

export interface AdminTarget {
  endpoint: string;
  accessKey: string;
  secretKey: string;
  caPem?: string | undefined;
}

export interface OpenIdProviderSummary {
  name: string;
  enabled: boolean;
  roleArn: string | undefined;
}

export interface ServerInfo {
  version: string | undefined;
  region: string | undefined;
  mode: string | undefined;
  /** Seconds since this server process started: it drops when MinIO has restarted. */
  uptime: number | undefined;
}

const PREFIX = '/minio/admin/v3';
const CONFIG_APPLIED = 'x-minio-config-applied';

interface CallOptions {
  query?: Record<string, string>;
  body?: Uint8Array;
  encryptedBody?: boolean;
  what: string;
  s3?: boolean;
  accept?: number[];
}

export class AdminApiError extends OperationError {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    hint: string,
  ) {
    super(message, hint);
  }
}

/** madmin's "key=value key2=value2" config line; values with spaces or quotes are quoted. */
export function configLine(settings: Record<string, string>): string {
  return Object.entries(settings)
    .map(([key, value]) => (/[\s"'=]/.test(value) || value === '' ? `${key}="${value.replace(/(["\\])/g, '\\$1')}"` : `${key}=${value}`))
    .join(' ');
}

export class AdminClient {
  constructor(private readonly target: AdminTarget) {
    registerSecret(target.secretKey);
  }

  get endpoint(): string {
    return this.target.endpoint;
  }

  /**
   * A MinIO that has just (re)started answers 503 XMinioServerNotInitialized until its IAM
   * is up (seconds; longer for a distributed one): asked again, within the deadline.
   */
  private async call(method: string, path: string, options: CallOptions): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.callOnce(method, path, options);
      } catch (error) {
        if (!(error instanceof AdminApiError && error.code === 'XMinioServerNotInitialized') || remainingMs() < 1000 || attempt >= 120) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  private async callOnce(
    method: string,
    path: string,
    options: CallOptions,
  ): Promise<HttpResponse> {
    const url = new URL(options.s3 ? path : `${PREFIX}${path}`, this.target.endpoint);
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
    const body = options.body && options.encryptedBody ? await encryptData(this.target.secretKey, options.body) : options.body;
    const headers = signV4(
      { method, url, region: 'us-east-1', ...(body ? { body, headers: { 'content-type': 'application/octet-stream' } } : {}) },
      { accessKeyId: this.target.accessKey, secretAccessKey: this.target.secretKey },
    );
    let response: HttpResponse;
    try {
      response = await httpRequest(url.href, { method, headers, ...(body ? { body } : {}), caPem: this.target.caPem, peer: 'minio' });
    } catch (error) {
      if (error instanceof NetworkError) throw new OperationError(`cannot ${options.what}: ${error.message} (MinIO ${this.target.endpoint})`, error.hint);
      throw error;
    }
    assertMinio(response, this.target.endpoint);
    if (response.status >= 300 && !options.accept?.includes(response.status)) throw this.failure(response, options.what);
    return response;
  }

  private failure(response: HttpResponse, what: string): AdminApiError {
    let code = '';
    let message = printable(response.body.toString('utf8').slice(0, 300));
    try {
      const parsed = JSON.parse(response.body.toString('utf8')) as { Code?: string; Message?: string };
      code = printable(String(parsed.Code ?? ''));
      message = printable(String(parsed.Message ?? message));
    } catch {
      const xmlCode = /<Code>([^<]+)<\/Code>/.exec(message)?.[1];
      const xmlMessage = /<Message>([^<]+)<\/Message>/.exec(message)?.[1];
      if (xmlCode) code = printable(xmlCode);
      if (xmlMessage) message = printable(xmlMessage);
    }
    const hint =
      code === 'InvalidAccessKeyId' || code === 'SignatureDoesNotMatch'
        ? 'the admin access key or secret key is wrong (--alias, MC_HOST_<alias>, or MINIO_ROOT_USER/MINIO_ROOT_PASSWORD)'
        : code === 'AccessDenied' || response.status === 403
          ? 'these credentials lack the admin permission needed: use the root user or one with the admin policy actions'
          : response.status === 404 && code === ''
            ? 'is the endpoint MinIO\'s S3 API port (not the console), and does this MinIO have the admin API?'
            : "see MinIO's message";
    return new AdminApiError(response.status, code, `MinIO refused to ${what}: ${code ? `${code}: ` : ''}${message} (HTTP ${response.status})`, hint);
  }

  private async decrypted(response: HttpResponse): Promise<unknown> {
    const plain = await decryptData(this.target.secretKey, response.body);
    return JSON.parse(plain.toString('utf8')) as unknown;
  }

  async serverInfo(): Promise<ServerInfo> {
    const response = await this.call('GET', '/info', { what: 'read server info' });
    const info = JSON.parse(response.body.toString('utf8')) as { mode?: string; region?: string; servers?: { version?: string; uptime?: number }[] };
    return { version: info.servers?.[0]?.version, region: info.region || undefined, mode: info.mode, uptime: info.servers?.[0]?.uptime };
  }

  async listOpenIdProviders(): Promise<OpenIdProviderSummary[]> {
    const response = await this.call('GET', '/idp-config/openid', { what: 'list OpenID providers' });
    const items = (await this.decrypted(response)) as { name?: string; enabled?: boolean; roleARN?: string }[] | null;
    return (items ?? []).map((item) => ({ name: item.name ?? '_', enabled: Boolean(item.enabled), roleArn: item.roleARN || undefined }));
  }

  /** A provider's settings, with the client secret removed (never needed, never shown). */
  async getOpenIdProvider(name: string): Promise<Record<string, string>> {
    const response = await this.call('GET', `/idp-config/openid/${encodeURIComponent(name)}`, { what: `read OpenID provider ${name}` });
    const config = (await this.decrypted(response)) as { info?: { key: string; value: string }[] };
    const out: Record<string, string> = {};
    for (const { key, value } of config.info ?? []) {
      if (key === 'client_secret') {
        registerSecret(value);
        continue;
      }
      out[key] = value;
    }
    return out;
  }

  /** Add or update; MinIO loads OpenID providers at startup, so this returns whether a restart is needed. */
  async setOpenIdProvider(name: string, settings: Record<string, string>, update: boolean): Promise<{ restartRequired: boolean }> {
    const response = await this.call(update ? 'POST' : 'PUT', `/idp-config/openid/${encodeURIComponent(name)}`, {
      body: Buffer.from(configLine(settings)),
      encryptedBody: true,
      what: `${update ? 'update' : 'add'} OpenID provider ${name}`,
    });
    return { restartRequired: response.headers[CONFIG_APPLIED] !== 'true' };
  }

  /**
   * Add, or update when it exists. MinIO always lists the default provider "_" even when it
   * is unset, so existence is MinIO's answer to the add, not the listing.
   */
  async putOpenIdProvider(name: string, settings: Record<string, string>): Promise<{ restartRequired: boolean; updated: boolean }> {
    try {
      return { ...(await this.setOpenIdProvider(name, settings, false)), updated: false };
    } catch (error) {
      if (error instanceof AdminApiError && error.code === 'XMinioAdminConfigIDPCfgNameAlreadyExists') {
        return { ...(await this.setOpenIdProvider(name, settings, true)), updated: true };
      }
      throw error;
    }
  }

  /** Remove a provider from MinIO's config (init's rollback when MinIO cannot load it). */
  async deleteOpenIdProvider(name: string): Promise<void> {
    await this.call('DELETE', `/idp-config/openid/${encodeURIComponent(name)}`, { what: `remove OpenID provider ${name}` });
  }

  /** What `mc admin service restart` does: every node of the deployment restarts (re-execs itself). */
  async restartService(): Promise<void> {
    await this.call('POST', '/service', { query: { action: 'restart', type: '2' }, what: 'restart MinIO' });
  }

  async bucketExists(bucket: string): Promise<boolean> {
    const head = await this.call('HEAD', `/${encodeURIComponent(bucket)}`, { s3: true, what: `look up bucket ${bucket}`, accept: [404] });
    return head.status !== 404;
  }

  /** The S3 API with the admin's credentials: create a bucket unless it exists. True when created. */
  async ensureBucket(bucket: string): Promise<boolean> {
    const path = `/${encodeURIComponent(bucket)}`;
    const head = await this.call('HEAD', path, { s3: true, what: `look up bucket ${bucket}`, accept: [404] });
    if (head.status !== 404) return false;
    await this.call('PUT', path, { s3: true, body: new Uint8Array(), what: `create bucket ${bucket}` });
    return true;
  }

  async createPolicy(name: string, policyJson: string): Promise<void> {
    await this.call('PUT', '/add-canned-policy', { query: { name }, body: Buffer.from(policyJson), what: `create policy ${name}` });
  }

  async getPolicy(name: string): Promise<unknown | undefined> {
    try {
      const response = await this.call('GET', '/info-canned-policy', { query: { name, v: '2' }, what: `read policy ${name}` });
      const parsed = JSON.parse(response.body.toString('utf8')) as { Policy?: unknown };
      return parsed.Policy ?? parsed;
    } catch (error) {
      if (error instanceof AdminApiError && (error.code === 'XMinioAdminNoSuchPolicy' || error.status === 404)) return undefined;
      throw error;
    }
  }
}
