import { adminClient, once, type DoctorContext } from './context.js';
import type { Check, CheckResult } from './types.js';

// MinIO's side of the chain: the S3 endpoint, the admin API, the OpenID provider and its
// settings, the policies, a forgeable client secret, and the clocks. Heavy modules load inside
// run(); each answer is shared through the context.

const CATEGORY = 'MinIO';
const NO_ENDPOINT = "no MinIO endpoint: pass --endpoint (minio.endpoint) to check MinIO";

/** The placeholder or derived role ARN the workloads send. */
async function workloadRoleArn(context: DoctorContext): Promise<string> {
  const { roleArnFor } = await import('../render/workload.js');
  return roleArnFor({ roleArn: context.settings.roleArn, clientId: context.settings.clientId, region: context.settings.region, isolation: context.settings.isolation });
}

/** Why a provider did not load, from MinIO's log and from the links checked upstream. */
export function notLoadedCauses(logLines: readonly string[], upstream: { anonymous?: string; ca?: string; discovery?: string; clientIdMismatch?: string }): string[] {
  const causes: string[] = [];
  // The reason is on the "Unable to initialize OpenID: ..." line; "Waiting for OpenID" only says it retries.
  const latest = [...logLines].reverse();
  const fromLog = latest.find((line) => /Unable to initialize OpenID/i.test(line)) ?? latest.find((line) => /Waiting for OpenID/i.test(line));
  if (fromLog) causes.push(`MinIO's log says: ${fromLog.trim().slice(0, 400)}`);
  if (upstream.ca) causes.push(`MinIO must trust the cluster CA, and it does not validate the apiserver here either: ${upstream.ca}`);
  if (upstream.anonymous) causes.push(`issuer discovery is not readable anonymously: ${upstream.anonymous}`);
  if (upstream.discovery) causes.push(`the discovery document or JWKS cannot be fetched as MinIO will: ${upstream.discovery}`);
  if (upstream.clientIdMismatch) causes.push(upstream.clientIdMismatch);
  return causes;
}

/**
 * How far MinIO's clock is surely off, in whole seconds (0 when it cannot be told apart from
 * none): its Date header has one-second resolution and was stamped between `sent` and
 * `received`, so only a difference beyond that window, and beyond a 2 s tolerance, counts.
 */
export function clockSkewSeconds(headerDate: number, sent: number, received: number, toleranceMs = 2000): number {
  const earliest = headerDate - received;
  const latest = headerDate + 999 - sent;
  if (earliest > toleranceMs) return Math.floor(earliest / 1000);
  if (latest < -toleranceMs) return -Math.floor(-latest / 1000);
  return 0;
}

/** The apiserver's clock from the Date header of any answer (even a 401), when reachable. */
async function apiserverClockSkew(context: DoctorContext): Promise<number | undefined> {
  const server = context.connection?.server ?? (context.configUrl ? new URL(context.configUrl).origin : undefined);
  if (!server) return undefined;
  const { httpRequest } = await import('../net.js');
  try {
    const sent = Date.now();
    const response = await httpRequest(`${server}/version`, { caPem: context.ca?.pem ?? context.connection?.caPem, maxBytes: 64 * 1024 });
    const date = Date.parse(String(response.headers['date'] ?? ''));
    return Number.isNaN(date) ? undefined : clockSkewSeconds(date, sent, Date.now());
  } catch {
    return undefined;
  }
}

export const minioChecks: Check<DoctorContext>[] = [
  {
    id: 'minio.endpoint',
    category: CATEGORY,
    description: "MinIO's S3 API",
    retryable: true,
    unavailable: (context) => (context.settings.endpoint ? undefined : NO_ENDPOINT),
    async run(context) {
      const { httpRequest } = await import('../net.js');
      const { assertMinio } = await import('../minio/recognise.js');
      const endpoint = context.settings.endpoint as string;
      const response = await once(context, 'minio.live', () => httpRequest(`${endpoint}/minio/health/live`, { caPem: context.options.minioCaPem, peer: 'minio', maxBytes: 64 * 1024 }));
      assertMinio(response, endpoint);
      if (response.status !== 200) return { status: 'fail', message: `${endpoint} answered ${response.status} to its liveness probe`, hint: "check MinIO's own log: it is running but not live" };
      return { status: 'ok', message: `${endpoint} is MinIO and live` };
    },
  },
  {
    id: 'minio.admin',
    category: CATEGORY,
    description: 'admin credentials',
    requires: ['minio.endpoint'],
    unavailable: (context) => context.options.adminUnavailable,
    async run(context) {
      const admin = await adminClient(context);
      const info = await admin.serverInfo();
      context.serverInfo = info;
      return { status: 'ok', message: `MinIO ${info.version ?? '(version unknown)'}, ${info.mode ?? 'mode unknown'}, region ${info.region ?? 'none'}` };
    },
  },
  {
    id: 'minio.provider',
    category: CATEGORY,
    description: 'OpenID provider loaded, with our settings',
    // After the cluster-side checks, so that a provider that did not load can be explained by them.
    requires: ['minio.admin'],
    after: ['kube.anonymous', 'kube.ca', 'kube.discovery'],
    retryable: true,
    async run(context): Promise<CheckResult> {
      const admin = await adminClient(context);
      const name = context.settings.provider;
      // Both answers are decrypted (one key derivation each): ask for them together.
      const [providers, configured] = await Promise.all([admin.listOpenIdProviders(), admin.getOpenIdProvider(name).catch(() => ({}) as Record<string, string>)]);
      context.providers = providers;
      const found = providers.find((provider) => provider.name === name);
      context.providerConfig = configured;
      if (!found || Object.keys(configured).length === 0) {
        return { status: 'fail', message: `MinIO has no OpenID provider "${name}"`, hint: 'add it: minio-irsa minio configure --apply, then restart MinIO', fix: ['minio-irsa minio configure --apply'] };
      }
      const problems: string[] = [];
      const expectedClaim = context.settings.isolation === 'bucket';
      if (configured['client_id'] !== undefined && configured['client_id'] !== context.settings.clientId) {
        problems.push(`its client id is "${configured['client_id']}", but workloads ask for audience "${context.settings.clientId}": STS will answer "azp claim invalid"`);
      }
      if (context.settings.configUrl && configured['config_url'] !== undefined && configured['config_url'] !== context.settings.configUrl) {
        problems.push(`its config URL is ${configured['config_url']}, not ${context.settings.configUrl}`);
      }
      if (expectedClaim && configured['claim_name'] !== 'sub') problems.push(`--isolation bucket needs a claim-based provider (claim_name=sub); it has ${configured['role_policy'] ? `role_policy=${configured['role_policy']}` : `claim_name=${configured['claim_name'] ?? '(none)'}`}`);
      if (!expectedClaim && !configured['role_policy']) problems.push(`--isolation ${context.settings.isolation} needs a role policy; the provider has none (claim_name=${configured['claim_name'] ?? '(none)'})`);
      const loaded = expectedClaim ? found.enabled : Boolean(found.roleArn);
      if (!loaded) {
        const lines = context.options.minioLog ? await once(context, 'minio.log', context.options.minioLog) : [];
        const failed = (id: string) => {
          const result = context.results?.get(id);
          return result?.status === 'fail' ? result.message : undefined;
        };
        const causes = notLoadedCauses(lines, { anonymous: failed('kube.anonymous'), ca: failed('kube.ca'), discovery: failed('kube.discovery'), clientIdMismatch: problems[0] });
        return {
          status: 'fail',
          message: `provider "${name}" is configured but not loaded: every exchange fails with "RoleARN ... is not defined"`,
          hint: causes[0] ?? "restart MinIO if it was just added; otherwise MinIO's log names the cause (\"Unable to initialize OpenID\"): pass --minio-log FILE or --minio-log-command CMD",
          details: causes.slice(1),
        };
      }
      context.roleArn = found.roleArn;
      if (problems.length > 0) return { status: 'fail', message: problems[0] ?? '', details: problems.slice(1), hint: 'fix the provider: minio-irsa minio configure --apply (then restart MinIO), or the profile', fix: ['minio-irsa minio configure --apply'] };
      return { status: 'ok', message: `"${name}" loaded${found.roleArn ? `, role ${found.roleArn}` : ' (claim-based: the token\'s sub names the policy)'}; client id ${context.settings.clientId}` };
    },
  },
  {
    id: 'minio.region',
    category: CATEGORY,
    description: "region and role ARN",
    requires: ['minio.admin'],
    async run(context) {
      const server = context.serverInfo?.region;
      const ours = context.settings.region;
      if ((server ?? '') === (ours ?? '')) return { status: 'ok', message: server ? `region ${server} on both sides` : 'no region set on MinIO (role ARNs have an empty region; clients use us-east-1)' };
      if (context.settings.isolation === 'bucket') {
        return { status: 'warn', message: `MinIO's region is "${server ?? ''}", the profile's "${ours ?? ''}": clients sign for the wrong region`, hint: `set --region ${server ?? '(none)'} (minio.region)` };
      }
      return {
        status: 'fail',
        message: `MinIO's region is "${server ?? ''}", the profile's "${ours ?? ''}": the derived role ARN does not exist in MinIO`,
        hint: server ? `set --region ${server} (minio.region)` : 'drop --region (minio.region)',
      };
    },
  },
  {
    id: 'minio.policy',
    category: CATEGORY,
    description: 'least-privilege policy',
    requires: ['minio.admin'],
    unavailable: (context) => (context.settings.isolation === 'bucket' && !context.settings.serviceAccount ? 'bucket isolation names the policy by the workload: pass --service-account (workload.serviceAccount)' : undefined),
    async run(context): Promise<CheckResult> {
      const admin = await adminClient(context);
      const { broadPolicies } = await import('../minio/policy.js');
      const { policyNameFor } = await import('../render/policy.js');
      const names =
        context.settings.isolation === 'bucket'
          ? [policyNameFor({ isolation: 'bucket', namespace: context.settings.namespace, serviceAccount: context.settings.serviceAccount ?? '', rolePolicy: [] })]
          : context.settings.rolePolicy;
      const missing: string[] = [];
      try {
        for (const name of names) if ((await admin.getPolicy(name)) === undefined) missing.push(name);
      } catch (error) {
        // A stalled IAM (a provider that failed at startup) answers 503: a consequence, not a second cause.
        if ((error as { status?: number }).status === 503) return { status: 'skip', message: "skipped: MinIO's IAM is not initialised (see the OpenID provider check)" };
        throw error;
      }
      if (missing.length > 0) {
        return { status: 'fail', message: `policy ${missing.join(', ')} does not exist in MinIO: STS answers "None of the given policies are defined"`, hint: 'create it: minio-irsa minio policy --apply', fix: ['minio-irsa minio policy --apply'] };
      }
      const broad = broadPolicies(names);
      if (broad.length > 0) return { status: 'warn', message: `role policy ${broad.join(', ')} is a broad built-in: every pod that can get a token gets it`, hint: 'use the least-privilege policy: minio-irsa minio policy --apply' };
      return { status: 'ok', message: `${names.join(', ')} exist${context.settings.isolation === 'bucket' ? ' (named by the workload\'s sub)' : ''}` };
    },
  },
  {
    id: 'minio.forgery',
    category: CATEGORY,
    description: 'client secret not forgeable (CVE-2026-33322)',
    requires: ['minio.endpoint'],
    async run(context): Promise<CheckResult> {
      const { forgeHs256 } = await import('../jwt.js');
      const { assumeRoleWithWebIdentity, StsError } = await import('../minio/sts.js');
      const roleArn = await workloadRoleArn(context);
      const now = Math.floor(Date.now() / 1000);
      const sub = context.settings.serviceAccount ? `system:serviceaccount:${context.settings.namespace}:${context.settings.serviceAccount}` : 'system:serviceaccount:minio-irsa-doctor:forged';
      const { WEAK_SECRETS } = await import('../minio/client-secret.js');
      const guesses = [...new Set([...WEAK_SECRETS, context.settings.clientId])];
      const accepted: string[] = [];
      let inconclusive: string | undefined;
      await Promise.all(
        guesses.map(async (guess) => {
          const token = await forgeHs256({ iss: 'https://forged.minio-irsa.invalid', sub, aud: [context.settings.clientId], iat: now - 5, nbf: now - 5, exp: now + 300 }, guess, context.settings.clientId);
          try {
            await assumeRoleWithWebIdentity({ endpoint: context.settings.endpoint as string, token, roleArn, caPem: context.options.minioCaPem });
            accepted.push(JSON.stringify(guess));
          } catch (error) {
            if (!(error instanceof StsError)) throw error;
            // The signature passed when MinIO got as far as the policy: still forgeable.
            if (/None of the given policies/i.test(error.minioMessage)) accepted.push(JSON.stringify(guess));
            else if (error.problem === 'unknown-role' || error.problem === 'iam-not-initialized') inconclusive = error.minioMessage;
          }
        }),
      );
      if (accepted.length > 0) {
        return {
          status: 'fail',
          critical: true,
          message: `MinIO accepts tokens forged with the client secret ${accepted.join(', ')}: anyone can get credentials for any identity`,
          hint: 'replace the secret with a random one now: minio-irsa minio configure --apply (a new random secret), then restart MinIO',
          fix: ['minio-irsa minio configure --apply'],
        };
      }
      if (inconclusive) return { status: 'warn', message: `could not be tested: MinIO has no such role yet (${inconclusive})`, hint: 'run doctor again once the provider is loaded' };
      return { status: 'ok', message: `${guesses.length} tokens forged with guessable secrets were all rejected` };
    },
  },
  {
    id: 'minio.clock',
    category: CATEGORY,
    description: 'clocks of MinIO, the apiserver and this machine',
    requires: ['minio.endpoint'],
    async run(context): Promise<CheckResult> {
      const { httpRequest } = await import('../net.js');
      const sent = Date.now();
      const response = await httpRequest(`${context.settings.endpoint as string}/minio/health/live`, { caPem: context.options.minioCaPem, peer: 'minio', maxBytes: 64 * 1024 });
      const received = Date.now();
      const minioDate = Date.parse(String(response.headers['date'] ?? ''));
      if (Number.isNaN(minioDate)) return { status: 'warn', message: 'MinIO sent no Date header to compare clocks with' };
      const skew = clockSkewSeconds(minioDate, sent, received);
      const apiserverSkew = await apiserverClockSkew(context);
      if (apiserverSkew !== undefined && apiserverSkew !== 0) {
        return {
          status: 'warn',
          message: `the apiserver's clock is ${Math.abs(apiserverSkew)} s ${apiserverSkew < 0 ? 'behind' : 'ahead of'} this machine's${skew !== 0 ? `, MinIO's ${Math.abs(skew)} s ${skew < 0 ? 'behind' : 'ahead'}` : ''}`,
          hint: 'MinIO allows no skew on a token\'s iat/nbf: tokens from an apiserver ahead of MinIO fail with "Token used before issued". Sync both with NTP',
        };
      }
      const skewed = skew !== 0;
      return {
        status: skewed ? 'warn' : 'ok',
        message: skewed ? `MinIO's clock is ${Math.abs(skew)} s ${skew < 0 ? 'behind' : 'ahead of'} this machine's` : "MinIO's clock agrees with this machine's (within a second)",
        hint: skewed ? 'MinIO allows no skew on a token\'s iat/nbf: a clock behind the apiserver\'s answers "Token used before issued". Sync both with NTP' : undefined,
      };
    },
  },
];
