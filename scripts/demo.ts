// The sandbox: real etcd, kube-apiserver and MinIO on loopback, and the whole IRSA chain
// run with the built CLI, saying what each step proves. Everything is torn down at the end.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, runCli, type CliResult } from '../test/helpers/cli.js';
import { parseEnvFile } from '../test/helpers/env-file.js';
import { Rig } from '../test/rig/index.js';

const bold = process.stderr.isTTY && !process.env['NO_COLOR'];
const say = (text: string) => console.error(bold ? `\n\x1b[1m${text}\x1b[0m` : `\n${text}`);
const proof = (text: string) => console.error(`  ✓ ${text}`);
function check(result: CliResult, what: string): CliResult {
  if (result.code !== 0) throw new Error(`${what} failed (exit ${String(result.code)}):\n${result.stderr || result.stdout}`);
  return result;
}

say('Starting the sandbox: etcd, kube-apiserver v1.34 and MinIO on 127.0.0.1 (free ports, temporary directory)');
const rig = await Rig.start();
const work = mkdtempSync(join(tmpdir(), 'minio-irsa-demo-'));
const kubectl = (args: string[], input?: string) => run(rig.binaries.kubectl, ['--kubeconfig', rig.cluster.kubeconfig, ...args], input === undefined ? {} : { input });
let failed = false;
try {
  proof(`kube-apiserver ${rig.cluster.server} (issuer ${rig.cluster.issuer}), MinIO ${rig.s3.endpoint}`);

  say('1. Issuer discovery must be readable without credentials (MinIO fetches it anonymously)');
  const before = await rig.cluster.anonymous('/.well-known/openid-configuration');
  proof(`before: anonymous GET /.well-known/openid-configuration -> ${before.status} (anonymous auth on, RBAC missing)`);
  const rbac = check(await runCli(['render', 'rbac']), 'minio-irsa render rbac');
  check(await kubectl(['apply', '-f', '-'], rbac.stdout), 'kubectl apply');
  const after = await rig.cluster.anonymous('/.well-known/openid-configuration');
  const jwksUri = (JSON.parse(after.body) as { jwks_uri: string }).jwks_uri;
  const jwks = await rig.cluster.anonymous(new URL(jwksUri).pathname);
  proof(`minio-irsa render rbac | kubectl apply -f -  ->  discovery ${after.status}, JWKS ${jwks.status} (${jwksUri})`);

  say('2. MinIO trusts the cluster: OpenID settings with a random client secret, and the cluster CA');
  const envFile = join(work, 'minio.env');
  check(await runCli(['render', 'minio-env', '--config-url', rig.cluster.configUrl, '--role-policy', 'readwrite', '-o', envFile]), 'minio-irsa render minio-env');
  proof(`minio-irsa render minio-env -o ${envFile}  (mode 0600; the secret is never printed)`);
  rig.s3.installCa('kubernetes-ca.crt', rig.cluster.ca.certPem);
  proof(`cluster CA copied into MinIO's ${join(rig.s3.certsDir, 'CAs')}/`);
  await rig.s3.restart(parseEnvFile(readFileSync(envFile, 'utf8')));
  await rig.s3.process.waitForLog(/IAM Roles:/);
  const fromLogs = check(await runCli(['role-arn', '--from-logs', rig.s3.process.logFile]), 'minio-irsa role-arn --from-logs').stdout.trim();
  const derived = check(await runCli(['role-arn']), 'minio-irsa role-arn').stdout.trim();
  if (fromLogs !== derived) throw new Error(`role ARN in MinIO's log (${fromLogs}) differs from the derived one (${derived})`);
  proof(`MinIO restarted; its log says "IAM Roles: ${fromLogs}", equal to the derived ARN`);

  say('3. A pod token: TokenRequest for ServiceAccount apps/web with audience sts.amazonaws.com');
  await rig.cluster.createServiceAccount('apps', 'web');
  const tokenFile = join(work, 'token');
  writeFileSync(tokenFile, await rig.cluster.requestToken('apps', 'web', 'sts.amazonaws.com', 600), { mode: 0o600 });
  proof('token written where the projected volume would put it (10 minutes, audience = MinIO client id)');

  say('4. The real aws CLI with only the five AWS_* variables: no access key anywhere');
  const awsEnv = {
    PATH: process.env['PATH'] ?? '',
    HOME: mkdtempSync(join(tmpdir(), 'minio-irsa-home-')),
    PYENV_ROOT: process.env['PYENV_ROOT'] ?? '',
    AWS_ROLE_ARN: derived,
    AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
    AWS_ENDPOINT_URL_STS: rig.s3.endpoint,
    AWS_ENDPOINT_URL_S3: rig.s3.endpoint,
    AWS_REGION: 'us-east-1',
  };
  check(await run(rig.binaries.aws, ['s3api', 'create-bucket', '--bucket', 'test'], { env: awsEnv, cleanEnv: true }), 'aws s3api create-bucket');
  const listing = check(await run(rig.binaries.aws, ['s3', 'ls'], { env: awsEnv, cleanEnv: true }), 'aws s3 ls');
  proof(`aws s3api create-bucket --bucket test; aws s3 ls  ->  ${listing.stdout.trim()}`);

  say('5. The manifests, accepted by the real apiserver (no kubelet runs them here)');
  const flags = ['--endpoint', rig.s3.endpoint, '--namespace', 'apps', '--service-account', 'web'];
  const pod = check(await runCli(['render', 'pod', ...flags]), 'minio-irsa render pod');
  check(await kubectl(['apply', '-f', '-'], pod.stdout), 'kubectl apply pod');
  const litestream = check(await runCli(['render', 'litestream', ...flags, '--bucket', 'test', '--app-image', 'nginx:1.27']), 'minio-irsa render litestream');
  check(await kubectl(['apply', '-f', '-'], litestream.stdout), 'kubectl apply litestream');
  proof('minio-irsa render pod | kubectl apply -f -   and   minio-irsa render litestream | kubectl apply -f -');
  process.stdout.write(`# --- minio-irsa render pod ---\n${pod.stdout}`);
  say('The whole chain works: the pod above gets MinIO credentials from its service-account token alone.');
} catch (error) {
  failed = true;
  rig.markFailed();
  console.error(`\ndemo failed: ${(error as Error).message}`);
} finally {
  await rig.stop();
  console.error(failed ? '' : 'Sandbox stopped and removed.');
}
process.exitCode = failed ? 1 : 0;
