import type { Connection, KubeTarget } from '../kube/connect.js';
import type { ClusterCa } from '../kube/ca.js';
import type { Detection } from '../kube/detect.js';
import type { DiscoveryReport } from '../kube/discovery.js';
import type { ProbeResult } from '../kube/probe.js';
import { remediationFor } from '../kube/remediation.js';
import { DISCOVERY_PATH } from '../validate.js';
import type { Check } from './types.js';

// The cluster side of the chain, link by link. Heavy modules load inside run().

export interface ClusterCheckContext {
  target: KubeTarget;
  /** The discovery URL MinIO will use; defaults to the kubeconfig's server. */
  configUrl: string | undefined;
  caFile: string | undefined;
  connection?: Connection;
  detection?: Detection;
  probe?: ProbeResult;
  ca?: ClusterCa;
  discovery?: DiscoveryReport;
}

export function effectiveConfigUrl(context: ClusterCheckContext): string {
  return context.configUrl ?? new URL(DISCOVERY_PATH, context.connection?.server ?? 'https://invalid').href;
}

const CATEGORY = 'Kubernetes';

export const clusterChecks: Check<ClusterCheckContext>[] = [
  {
    id: 'kube.connect',
    category: CATEGORY,
    description: 'kubeconfig and apiserver',
    async run(context) {
      const { connect } = await import('../kube/connect.js');
      const { detectCluster } = await import('../kube/version.js');
      context.connection ??= await connect(context.target);
      context.detection = await detectCluster(context.connection);
      const warning = context.connection.skipTlsVerify ? ' (the kubeconfig skips TLS verification)' : '';
      return {
        status: context.connection.skipTlsVerify ? 'warn' : 'ok',
        message: `context "${context.connection.context}": ${context.connection.server}, Kubernetes ${context.detection.gitVersion}${warning}`,
        hint: context.connection.skipTlsVerify ? 'pin the cluster CA in the kubeconfig (certificate-authority-data) instead of insecure-skip-tls-verify' : undefined,
      };
    },
  },
  {
    id: 'kube.distribution',
    category: CATEGORY,
    description: 'distribution',
    requires: ['kube.connect'],
    async run(context) {
      const detection = context.detection as Detection;
      return { status: 'ok', message: detection.distribution, details: detection.evidence };
    },
  },
  {
    id: 'kube.anonymous',
    category: CATEGORY,
    description: 'anonymous issuer discovery',
    requires: ['kube.connect'],
    async run(context) {
      const { probeAnonymous } = await import('../kube/probe.js');
      const connection = context.connection as Connection;
      context.probe = await probeAnonymous(effectiveConfigUrl(context), connection.caPem);
      const fix = remediationFor(context.probe.access, context.detection as Detection);
      if (context.probe.access === 'public') {
        return { status: 'ok', message: context.probe.message };
      }
      return { status: 'fail', message: `${context.probe.message}: MinIO cannot fetch the issuer's keys`, hint: fix[0], details: fix.slice(1) };
    },
  },
  {
    id: 'kube.ca',
    category: CATEGORY,
    description: 'cluster CA for MinIO',
    requires: ['kube.connect'],
    async run(context) {
      const { caFromFile, describeCertificate, findClusterCa, verifyCaFor } = await import('../kube/ca.js');
      const ca = context.caFile ? await caFromFile(context.caFile) : await findClusterCa(context.connection as Connection);
      const url = effectiveConfigUrl(context);
      await verifyCaFor(url, ca.pem);
      context.ca = ca;
      const cert = describeCertificate(ca.pem);
      return {
        status: ca.warning ? 'warn' : 'ok',
        message: `${cert.subject} from ${ca.description} validates ${new URL(url).host}`,
        hint: ca.warning,
        details: [`SHA-256 ${cert.fingerprint}`, `valid until ${cert.validTo}`, 'MinIO must trust it: minio-irsa ca export -o kubernetes-ca.crt'],
      };
    },
  },
  {
    id: 'kube.discovery',
    category: CATEGORY,
    description: 'discovery document and JWKS, fetched as MinIO will',
    requires: ['kube.anonymous', 'kube.ca'],
    async run(context) {
      const { verifyDiscovery } = await import('../kube/discovery.js');
      const report = await verifyDiscovery(effectiveConfigUrl(context), context.ca?.pem);
      context.discovery = report;
      const warnings = report.warnings;
      return {
        status: warnings.length > 0 ? 'warn' : 'ok',
        message: `issuer ${report.issuer}; ${report.keys.length} key(s) at ${report.jwksUri}`,
        hint: warnings[0],
        details: [...warnings.slice(1), ...report.keys.map((key) => `key ${key.kid ?? '?'} (${key.alg ?? '?'})`), report.note],
      };
    },
  },
];
