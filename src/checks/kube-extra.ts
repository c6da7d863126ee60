import type { V1ClusterRoleBinding } from '@kubernetes/client-node';
import type { Connection } from '../kube/connect.js';
import type { Detection } from '../kube/detect.js';
import type { DoctorContext } from './context.js';
import type { Check, CheckResult } from './types.js';

// The cluster-side checks doctor adds to `cluster check`'s: who owns the discovery binding,
// how wide anonymous access is, when the CA expires, whether the issuer is shared.

const DAY = 24 * 3600 * 1000;

export const kubeExtraChecks: Check<DoctorContext>[] = [
  {
    id: 'kube.binding',
    category: 'Kubernetes',
    description: 'discovery ClusterRoleBinding',
    requires: ['kube.connect'],
    async run(context): Promise<CheckResult> {
      const connection = context.connection as Connection;
      const { call } = await import('../kube/connect.js');
      const { decideRbac, desiredBinding } = await import('../kube/rbac.js');
      const { DISCOVERY_BINDING_NAME } = await import('../render/rbac.js');
      const rbac = connection.kc.makeApiClient(connection.k8s.RbacAuthorizationV1Api);
      let existing: V1ClusterRoleBinding | undefined;
      try {
        existing = await call(connection, `read ClusterRoleBinding ${DISCOVERY_BINDING_NAME}`, () => rbac.readClusterRoleBinding({ name: DISCOVERY_BINDING_NAME }));
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error;
      }
      const state = decideRbac(existing, desiredBinding('user'));
      const publicAnyway = context.probe?.access === 'public';
      if (state === 'absent') {
        return publicAnyway
          ? { status: 'ok', message: `no ${DISCOVERY_BINDING_NAME}; discovery is public through another binding` }
          : { status: 'fail', message: `no ${DISCOVERY_BINDING_NAME} binding`, hint: 'create it: minio-irsa cluster apply', fix: ['minio-irsa cluster apply'] };
      }
      if (state === 'foreign') return { status: 'warn', message: `${DISCOVERY_BINDING_NAME} exists but was not created by minio-irsa: it is left alone`, hint: 'check what it grants: kubectl get clusterrolebinding ' + DISCOVERY_BINDING_NAME + ' -o yaml' };
      return { status: 'ok', message: `${DISCOVERY_BINDING_NAME}, owned by minio-irsa${state === 'differs' ? ' (grants another subject than the default user system:anonymous)' : ''}` };
    },
  },
  {
    id: 'kube.anonymous-scope',
    category: 'Kubernetes',
    description: 'anonymous access only where needed',
    requires: ['kube.anonymous'],
    async run(context): Promise<CheckResult> {
      const { supportsAuthnConfig } = await import('../kube/remediation.js');
      if (context.probe?.restricted) return { status: 'ok', message: 'anonymous requests are allowed on the discovery paths only' };
      if (context.detection && supportsAuthnConfig(context.detection as Detection)) {
        return {
          status: 'warn',
          message: `anonymous requests reach every path that RBAC opens to system:anonymous; Kubernetes ${(context.detection as Detection).gitVersion} can allow them on the two discovery paths only`,
          hint: 'minio-irsa render authn-config (then pass it with --authentication-config and drop --anonymous-auth)',
          fix: ['minio-irsa render authn-config'],
        };
      }
      return { status: 'ok', message: 'anonymous auth is on (path-restricted anonymous access needs Kubernetes >= 1.32)' };
    },
  },
  {
    id: 'tls.ca-expiry',
    category: 'TLS and CA',
    description: 'cluster CA validity',
    requires: ['kube.ca'],
    async run(context): Promise<CheckResult> {
      const { describeCertificate } = await import('../kube/ca.js');
      const cert = describeCertificate(context.ca?.pem ?? '');
      const left = Date.parse(cert.validTo) - Date.now();
      if (left <= 0) return { status: 'fail', message: `the cluster CA expired on ${cert.validTo}`, hint: 'rotate the cluster CA, then export the new one to MinIO: minio-irsa ca export' };
      if (left < 30 * DAY) return { status: 'warn', message: `the cluster CA expires in ${Math.floor(left / DAY)} day(s) (${cert.validTo})`, hint: 'after the rotation, export the new CA to MinIO: minio-irsa ca export --out ... and restart MinIO' };
      return { status: 'ok', message: `valid until ${cert.validTo}` };
    },
  },
  {
    id: 'kube.issuer-unique',
    category: 'Kubernetes',
    description: 'the issuer names only this cluster',
    requires: ['kube.discovery', 'minio.provider'],
    async run(context): Promise<CheckResult> {
      const { K3S_DEFAULT_ISSUER } = await import('../kube/discovery.js');
      const others = (context.providers ?? []).filter((provider) => provider.name !== context.settings.provider && (provider.enabled || provider.roleArn));
      if (others.length === 0) return { status: 'ok', message: 'MinIO trusts no other OpenID provider' };
      const shared = context.discovery?.issuer === K3S_DEFAULT_ISSUER;
      return {
        status: 'warn',
        message: `MinIO trusts ${others.length} other provider(s) (${others.map((p) => p.name).join(', ')})${shared ? `, and this cluster's issuer is k3s's shared default ${K3S_DEFAULT_ISSUER}` : ''}: MinIO keeps every provider's keys in one map and never checks iss, so the same namespace/ServiceAccount in another trusted cluster is the same MinIO identity`,
        hint: 'one MinIO per cluster, or namespaces unique across the clusters (docs/security.md, "Several clusters on one MinIO")',
      };
    },
  },
];
