import { summarizeToken } from '../jwt.js';
import { loadProfile, resolveSettings, type FlagValues } from '../profile.js';
import { logger } from '../ui/logger.js';
import { writeJson, writeOut } from '../ui/output.js';

interface TokenFlags extends FlagValues {
  config?: string;
  raw?: boolean;
  output: 'text' | 'json';
}

/** Mint a token like a pod's; show its claims, the token itself only with --raw. */
export async function tokenCommand(flags: TokenFlags): Promise<void> {
  const profile = await loadProfile(flags.config);
  const settings = await resolveSettings(['kubeconfig', 'context', 'namespace', 'serviceAccount', 'clientId', 'tokenExpiration'], flags, profile);
  const { connect } = await import('../kube/connect.js');
  const { requestToken } = await import('../kube/tokens.js');
  const connection = await connect(settings);
  const token = await requestToken(connection, {
    namespace: settings.namespace,
    serviceAccount: settings.serviceAccount,
    audience: settings.clientId,
    expirationSeconds: settings.tokenExpiration,
  });
  if (flags.raw) {
    writeOut(token);
    return;
  }
  const summary = summarizeToken(token);
  if (flags.output === 'json') {
    writeJson(summary);
    return;
  }
  for (const [key, value] of Object.entries(summary)) writeOut(`${key.padEnd(17)} ${Array.isArray(value) ? value.join(', ') : String(value)}`);
  logger.info('(the token itself is not shown: pass --raw to print it)');
}
