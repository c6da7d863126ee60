import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { printable } from '../encode.js';
import { UsageError } from '../errors.js';
import { flagValue } from './flag-value.js';
import { readBoundedFile, writeFileSafely } from '../fs-safe.js';
import { loadProfile, resolveIfGiven, resolveSettings, type FlagValues } from '../profile.js';
import { CLAIM_BASED_ROLE_ARN, injectionSettingsFor } from '../render/workload.js';
import { INJECTION_SETTINGS } from '../settings.js';
import { logger } from '../ui/logger.js';
import * as v from '../validate.js';
import type { WebhookDefaults } from '../webhook/opt-in.js';
import { renderWebhook, renderWebhookUrl, type FailurePolicy, type WebhookRender, type WebhookServer } from '../render/webhook.js';
import { writeOut } from '../ui/output.js';

// webhook serve: the admission server; webhook certs: its certificate files for a webhook
// run outside the cluster. The manifests are `render webhook`.


interface GlobalFlags {
  config?: string;
}

/** What every opted-in pod gets unless its ServiceAccount says otherwise. */
export async function webhookServer(flags: FlagValues & GlobalFlags & { namespaceOptIn?: boolean }): Promise<WebhookServer & { arnRegion: string }> {
  const profile = await loadProfile(flags.config);
  const s = await resolveSettings(INJECTION_SETTINGS, flags, profile);
  const settings = injectionSettingsFor(s);
  // A fixed ARN only when one is set or the roles are claim-based; else each audience derives its own.
  const roleArn = s.roleArn ?? (s.isolation === 'bucket' ? CLAIM_BASED_ROLE_ARN : undefined);
  return { settings, roleArn, isolation: s.isolation, namespaceOptIn: Boolean(flags.namespaceOptIn), arnRegion: s.region ?? '' };
}

interface ServeFlags extends FlagValues, GlobalFlags {
  address: string;
  port: string;
  metricsAddress: string;
  metricsPort: string;
  tlsCertFile: string;
  tlsKeyFile: string;
  namespaceOptIn?: boolean;
  lookupGrace: string;
  shutdownDelay: string;
  kubeconfig?: string;
  context?: string;
}

async function kubeConfigForServe(flags: ServeFlags) {
  const k8s = await import('@kubernetes/client-node');
  const profile = await loadProfile(flags.config);
  const kubeconfig = await resolveIfGiven('kubeconfig', flags, profile);
  const context = await resolveIfGiven('context', flags, profile);
  const inCluster = !kubeconfig && !process.env['KUBECONFIG'] && process.env['KUBERNETES_SERVICE_HOST'] !== undefined;
  if (inCluster) {
    const kc = new k8s.KubeConfig();
    kc.loadFromCluster();
    return { k8s, kc };
  }
  const { connect } = await import('../kube/connect.js');
  const connection = await connect({ kubeconfig, context });
  return { k8s: connection.k8s, kc: connection.kc };
}

export async function webhookServeCommand(flags: ServeFlags): Promise<void> {
  const address = flagValue(flags.address, '--address', v.listenAddress);
  const port = flagValue(flags.port, '--port', (raw) => v.decimalInteger(raw, 0, 65535));
  const metricsAddress = flagValue(flags.metricsAddress, '--metrics-address', v.listenAddress);
  const metricsPort = flagValue(flags.metricsPort, '--metrics-port', (raw) => v.decimalInteger(raw, 0, 65535));
  const graceMs = flagValue(flags.lookupGrace, '--lookup-grace', (raw) => v.decimalInteger(raw, 0, 10_000, 'milliseconds'));
  const shutdownDelayMs = 1000 * flagValue(flags.shutdownDelay, '--shutdown-delay', (raw) => v.decimalInteger(raw, 0, 60, 'seconds'));
  for (const [flag, file] of [['--tls-cert-file', flags.tlsCertFile], ['--tls-key-file', flags.tlsKeyFile]] as const) {
    if (!existsSync(file)) throw new UsageError(`${flag} ${printable(file)} does not exist`, 'create the serving certificate with: minio-irsa webhook certs --out-dir DIR (or mount the Secret from render webhook)');
  }
  const server = await webhookServer(flags);
  const defaults: WebhookDefaults = { settings: server.settings, roleArn: server.roleArn, arnRegion: server.arnRegion, namespaceOptIn: server.namespaceOptIn };

  const { k8s, kc } = await kubeConfigForServe(flags);
  const { startWatchCache } = await import('../webhook/cache.js');
  const { createMetrics } = await import('../webhook/metrics.js');
  const { serve } = await import('../webhook/server.js');
  const cache = await startWatchCache(k8s, kc, graceMs, (what, error) => logger.record('warn', 'watch failed; restarting it', { what, error: error instanceof Error ? error.message : String(error) }));
  const running = await serve({ address, port, metricsAddress, metricsPort, certFile: flags.tlsCertFile, keyFile: flags.tlsKeyFile, defaults, lookups: cache, metrics: await createMetrics(), shutdownDelayMs, drainMs: 10_000 });
  logger.record('info', 'listening', { address, port: running.port, metricsPort: running.metricsPort, pid: process.pid, audience: defaults.settings.audience, namespaceOptIn: defaults.namespaceOptIn });

  // SIGTERM (the kubelet) or Ctrl-C: unready, drain, stop: no admission is cut mid-way.
  process.removeAllListeners('SIGINT');
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      logger.record('info', 'shutting down', { signal });
      void running
        .shutdown()
        .then(() => cache.stop())
        .finally(resolve);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  logger.record('info', 'stopped');
}

interface CertsFlags extends FlagValues {
  outDir: string;
  host?: string[];
  name: string;
  namespace: string;
  days: string;
  force?: boolean;
}

export async function webhookCertsCommand(flags: CertsFlags): Promise<void> {
  const name = flagValue(flags.name, '--name', v.dns1123Label);
  const namespace = flagValue(flags.namespace, '--namespace', v.dns1123Label);
  const days = flagValue(flags.days, '--days', (raw) => v.decimalInteger(raw, 1, 3650, 'days'));
  const extra = (flags.host ?? []).map((host) => flagValue(host, '--host', v.certificateHost));
  const { generateCertificates, serviceHosts } = await import('../webhook/certs.js');
  const hosts = serviceHosts(name, namespace, extra);
  const certs = await generateCertificates(hosts, days);
  const force = Boolean(flags.force);
  const files = [['tls.key', certs.keyPem, 0o600], ['tls.crt', certs.certPem, 0o644], ['ca.crt', certs.caPem, 0o644]] as const;
  // All or nothing: a set of which one file is new would not match itself.
  const present = files.filter(([file]) => existsSync(join(flags.outDir, file))).map(([file]) => file);
  if (present.length > 0 && !force) throw new UsageError(`${printable(flags.outDir)} already holds ${present.join(', ')}; not overwriting`, 'pass --force to rotate them, or choose another --out-dir');
  await mkdir(flags.outDir, { recursive: true, mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot create ${printable(flags.outDir)}: ${error.code ?? error.message}`, 'choose a writable --out-dir');
  });
  for (const [file, content, mode] of files) await writeFileSafely(join(flags.outDir, file), content, { mode, force, flag: '--out-dir' });
  logger.success(`wrote ${join(flags.outDir, 'tls.key')} (0600), tls.crt and ca.crt, valid until ${certs.notAfter.toISOString().slice(0, 10)} for ${hosts.join(', ')}`);
}

interface RenderWebhookFlags extends FlagValues, GlobalFlags {
  name: string;
  namespace: string;
  image?: string;
  replicas: string;
  failurePolicy: FailurePolicy;
  webhookTimeout: string;
  certManager?: boolean;
  url?: string;
  caFile?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  namespaceOptIn?: boolean;
  days: string;
}

const PEM_MAX_BYTES = 1 << 20;

async function pemFile(path: string, flag: string, label: 'CERTIFICATE' | 'PRIVATE KEY'): Promise<string> {
  const { text } = await readBoundedFile(path, PEM_MAX_BYTES, flag.slice(2), `pass ${flag} a PEM file`);
  if (!new RegExp(`-----BEGIN (?:[A-Z]+ )?${label}-----`).test(text)) throw new UsageError(`${flag} ${printable(path)} holds no PEM ${label.toLowerCase()}`, `pass ${flag} a PEM file`);
  return text;
}

export async function renderWebhookCommand(flags: RenderWebhookFlags, version: string): Promise<void> {
  const name = flagValue(flags.name, '--name', v.dns1123Label);
  const namespace = flagValue(flags.namespace, '--namespace', v.dns1123Label);
  const timeoutSeconds = flagValue(flags.webhookTimeout, '--webhook-timeout', (raw) => v.decimalInteger(raw, 1, 30, 'seconds'));
  const failurePolicy = flags.failurePolicy;
  if (flags.url !== undefined) {
    const url = flagValue(flags.url, '--url', v.webhookUrl);
    if (!flags.caFile) throw new UsageError('--url needs the CA that signed the webhook\'s certificate', 'pass --ca-file (ca.crt from: minio-irsa webhook certs --out-dir DIR --host HOST)');
    const caPem = await pemFile(flags.caFile, '--ca-file', 'CERTIFICATE');
    writeOut(renderWebhookUrl({ name, url, caPem, failurePolicy, timeoutSeconds, namespaceOptIn: Boolean(flags.namespaceOptIn), excludedNamespaces: ['kube-system'] }));
    return;
  }
  const image = flagValue(flags.image ?? `minio-irsa:${version}`, '--image', v.image);
  if (flags.image === undefined) logger.info(`image ${image}: build it from the repository's Dockerfile and push it where the cluster pulls from, then pass --image`);
  const replicas = flagValue(flags.replicas, '--replicas', (raw) => v.decimalInteger(raw, 1, 20));
  const days = flagValue(flags.days, '--days', (raw) => v.decimalInteger(raw, 1, 3650, 'days'));
  const server = await webhookServer(flags);
  let tls: WebhookRender['tls'];
  if (flags.certManager) tls = { kind: 'cert-manager' };
  else if (flags.tlsCertFile || flags.tlsKeyFile || flags.caFile) {
    if (!flags.tlsCertFile || !flags.tlsKeyFile || !flags.caFile) throw new UsageError('bringing your own certificate needs all of --tls-cert-file, --tls-key-file and --ca-file', 'pass all three, or none (a certificate is then generated)');
    tls = { kind: 'generated', certPem: await pemFile(flags.tlsCertFile, '--tls-cert-file', 'CERTIFICATE'), keyPem: await pemFile(flags.tlsKeyFile, '--tls-key-file', 'PRIVATE KEY'), caPem: await pemFile(flags.caFile, '--ca-file', 'CERTIFICATE') };
  } else {
    const { generateCertificates, serviceHosts } = await import('../webhook/certs.js');
    tls = { kind: 'generated', ...(await generateCertificates(serviceHosts(name, namespace), days)) };
  }
  writeOut(renderWebhook({ name, namespace, image, replicas, failurePolicy, timeoutSeconds, server, tls }));
}
