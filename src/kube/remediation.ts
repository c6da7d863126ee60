import type { Detection } from './detect.js';

// Exact steps to open issuer discovery, for the distribution we detected.

export type DiscoveryAccess = 'public' | 'rbac-missing' | 'anonymous-off' | 'not-served' | 'unexpected';

/** Path-restricted anonymous auth (AuthenticationConfiguration) exists from Kubernetes 1.32. */
export function supportsAuthnConfig(detection: Pick<Detection, 'minor'>): boolean {
  return (detection.minor ?? 0) >= 32;
}

function configFile(detection: Detection): string | undefined {
  if (detection.distribution === 'k3s') return '/etc/rancher/k3s/config.yaml';
  if (detection.distribution === 'rke2') return '/etc/rancher/rke2/config.yaml';
  return undefined;
}

function service(detection: Detection): string {
  return detection.distribution === 'rke2' ? 'rke2-server' : 'k3s';
}

export function anonymousRemediation(detection: Detection): string[] {
  const file = configFile(detection);
  const lines: string[] = [];
  if (detection.anonymousAuthArg === false && file) {
    lines.push(`This cluster's own configuration turns it off: its node args pass anonymous-auth=false; remove that entry from ${file} first.`);
  }
  const apiVersion = (detection.minor ?? 0) >= 34 ? 'v1' : 'v1beta1';
  if (detection.distribution === 'eks' || detection.distribution === 'gke' || detection.distribution === 'aks') {
    return [
      `${detection.distribution.toUpperCase()} publishes the issuer on a public OIDC URL: give MinIO that issuer's discovery URL as --config-url instead of the apiserver's`,
    ];
  }
  if (supportsAuthnConfig(detection)) {
    lines.push(`Recommended (Kubernetes 1.${detection.minor}): allow anonymous requests only on the two discovery paths:`);
    lines.push(`  minio-irsa render authn-config --api-version ${apiVersion} > authn-config.yaml`);
    if (file) {
      const dir = file.replace(/\/config\.yaml$/, '');
      lines.push(`  copy it to ${dir}/authn-config.yaml, and in ${file} add:`);
      lines.push('    kube-apiserver-arg:');
      lines.push(`      - "authentication-config=${dir}/authn-config.yaml"`);
      lines.push(`  then: systemctl restart ${service(detection)}`);
    } else if (detection.distribution === 'k0s') {
      lines.push('  in k0s.yaml: spec.api.extraArgs: {authentication-config: /etc/k0s/authn-config.yaml} (file on every controller), then restart k0s');
    } else {
      lines.push('  kubeadm: copy it to /etc/kubernetes/authn-config.yaml; in /etc/kubernetes/manifests/kube-apiserver.yaml add');
      lines.push('    - --authentication-config=/etc/kubernetes/authn-config.yaml');
      lines.push('  and a hostPath mount of the file; remove any --anonymous-auth flag (the two cannot be combined)');
    }
    lines.push('Or, simpler but broader: turn anonymous auth on for every path:');
  } else {
    lines.push('Turn anonymous auth on (RBAC then limits anonymous users to public paths and the discovery role):');
  }
  if (file) {
    lines.push(`  in ${file}:`, '    kube-apiserver-arg:', '      - "anonymous-auth=true"', `  then: systemctl restart ${service(detection)}`);
  } else if (detection.distribution === 'k0s') {
    lines.push('  in k0s.yaml: spec.api.extraArgs: {anonymous-auth: "true"}, then restart k0s');
  } else if (detection.distribution === 'microk8s') {
    lines.push('  add --anonymous-auth=true to /var/snap/microk8s/current/args/kube-apiserver, then: microk8s stop && microk8s start');
  } else if (detection.distribution === 'minikube') {
    lines.push('  minikube start --extra-config=apiserver.anonymous-auth=true');
  } else if (detection.distribution === 'kind') {
    lines.push('  kind config: kubeadmConfigPatches with apiServer.extraArgs: {anonymous-auth: "true"}, then recreate the cluster');
  } else {
    lines.push('  kubeadm: in /etc/kubernetes/manifests/kube-apiserver.yaml set --anonymous-auth=true (the kubelet restarts the apiserver)');
  }
  return lines;
}

export function remediationFor(access: DiscoveryAccess, detection: Detection): string[] {
  switch (access) {
    case 'public':
      return [];
    case 'rbac-missing':
      return ['Anonymous auth is on but the discovery role is not granted:', '  minio-irsa cluster apply        (or: minio-irsa render rbac | kubectl apply -f -)'];
    case 'anonymous-off':
      return anonymousRemediation(detection);
    case 'not-served':
      return ['The apiserver does not serve issuer discovery: it needs an https --service-account-issuer (and usually --service-account-jwks-uri set to a URL MinIO can reach)'];
    case 'unexpected':
      return ['Unexpected answer to an anonymous discovery request: check for a proxy or load balancer in front of the apiserver'];
  }
}
