import { registerSecret } from '../secrets.js';
import { OperationError } from '../errors.js';
import { ApiCallError, call, type Connection } from './connect.js';

export interface TokenRequestInput {
  namespace: string;
  serviceAccount: string;
  audience: string;
  expirationSeconds: number;
}

/** A token from the TokenRequest API, exactly like the kubelet gets for a projected volume. */
export async function requestToken(connection: Connection, input: TokenRequestInput): Promise<string> {
  const core = connection.kc.makeApiClient(connection.k8s.CoreV1Api);
  const response = await call(
    connection,
    `request a token for ServiceAccount ${input.namespace}/${input.serviceAccount}`,
    () =>
      core.createNamespacedServiceAccountToken({
        name: input.serviceAccount,
        namespace: input.namespace,
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: [input.audience], expirationSeconds: input.expirationSeconds } },
      }),
    'needs "create" on serviceaccounts/token in that namespace',
  ).catch((error: unknown) => {
    if (error instanceof ApiCallError && error.status === 404) {
      throw new OperationError(`ServiceAccount ${input.namespace}/${input.serviceAccount} does not exist`, `create it first: kubectl create serviceaccount -n ${input.namespace} ${input.serviceAccount}`);
    }
    throw error;
  });
  const token = response.status?.token ?? '';
  registerSecret(token);
  if (token.split('.').length !== 3) throw new OperationError(`the apiserver ${connection.server} returned no token for ServiceAccount ${input.namespace}/${input.serviceAccount}`, 'is the kube context pointing at a Kubernetes API server?');
  return token;
}
