// The sandbox: real etcd, kube-apiserver and MinIO on loopback, and the whole IRSA chain
// driven by the built CLI from a minio-irsa.yaml profile, saying what each step proves.
// Everything is torn down at the end.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runAws } from '../test/helpers/aws.js';
import { runCli, type CliResult } from '../test/helpers/cli.js';
import { mcFor } from '../test/helpers/mc.js';
import { Rig } from '../test/rig/index.js';

const bold = process.stderr.isTTY && !process.env['NO_COLOR'];
const say = (text: string) => console.error(bold ? `\n\x1b[1m${text}\x1b[0m` : `\n${text}`);
const proof = (text: string) => console.error(`  ✓ ${text}`);
const indent = (text: string) => text.trimEnd().split('\n').map((line) => `    ${line}`).join('\n');

say('Starting the sandbox: etcd, kube-apiserver v1.34 and MinIO on 127.0.0.1 (free ports, temporary directory)');
const rig = await Rig.start();
const work = mkdtempSync(join(tmpdir(), 'minio-irsa-demo-'));
const env = { MINIO_ROOT_USER: rig.s3.rootUser, MINIO_ROOT_PASSWORD: rig.s3.rootPassword };
const cli = async (args: string[], expectFailure = false): Promise<CliResult> => {
  const result = await runCli(args, { cwd: work, env });
  console.error(`  $ minio-irsa ${args.join(' ')}`);
  if (result.stderr.trim()) console.error(indent(result.stderr));
  if ((result.code === 0) === expectFailure) throw new Error(`minio-irsa ${args.join(' ')} exited ${String(result.code)}`);
  return result;
};
const kubectl = async (args: string[], input: string) => {
  const result = await rig.kubectl(args, input);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
  return result;
};
const file0 = () => {
  const path = join(work, 'their-data.db');
  writeFileSync(path, 'another workload\'s data\n');
  return path;
};
const restartMinio = async (why: string) => {
  await rig.s3.restart({});
  await rig.s3.process.waitForLog(/API:/);
  proof(`MinIO restarted (${why})`);
};

let failed = false;
try {
  writeFileSync(
    join(work, 'minio-irsa.yaml'),
    [
      'version: 1',
      'kube:',
      `  kubeconfig: ${rig.cluster.kubeconfig}`,
      'issuer:',
      `  configUrl: ${rig.cluster.configUrl}`,
      'minio:',
      `  endpoint: ${rig.s3.endpoint}`,
      'workload:',
      '  namespace: apps',
      '  serviceAccount: web',
      '  bucket: apps-web          # its own bucket: --isolation bucket, the default',
      '',
    ].join('\n'),
  );
  proof(`kube-apiserver ${rig.cluster.server}, MinIO ${rig.s3.endpoint}; profile ${join(work, 'minio-irsa.yaml')}`);

  say('1. Can MinIO read the issuer discovery anonymously? (anonymous auth is on, RBAC is not yet)');
  await cli(['cluster', 'check'], true);
  await cli(['cluster', 'apply', '--yes']);
  proof('discovery and JWKS are now public; a second apply would change nothing');

  say('2. MinIO must trust the cluster CA: export it (verified first) into MinIO\'s certs/CAs/');
  await cli(['ca', 'export', '--out', join(rig.s3.certsDir, 'CAs', 'kubernetes-ca.crt')]);
  await restartMinio('it reads certs/CAs/ at startup only');

  say("3. The workload's own bucket and a policy named by its sub, then the OpenID provider (claim-based, random secret), through the admin API");
  await cli(['minio', 'policy', '--apply']);
  await cli(['minio', 'configure', '--apply']);
  await restartMinio('it loads OpenID providers at startup');
  const arn = await cli(['role-arn']);
  proof(`workloads send the role ARN ${arn.stdout.trim()}, which MinIO's claim-based provider ignores: the token's sub picks the policy`);

  say('4. A pod\'s token, traded for temporary credentials, proven on S3');
  await rig.cluster.createServiceAccount('apps', 'web');
  const mc = mcFor(rig.binaries.mc, rig.s3);
  await mc(['mb', 'rig/apps-other']);
  await mc(['cp', file0(), 'rig/apps-other/their-data.db']);
  await cli(['exchange', '--probe']);

  say('5. The real aws CLI with only the five AWS_* variables of the pod manifest: no key anywhere');
  const tokenFile = join(work, 'token');
  writeFileSync(tokenFile, await rig.cluster.requestToken('apps', 'web', 'sts.amazonaws.com', 600), { mode: 0o600 });
  const awsVars = {
    AWS_ROLE_ARN: arn.stdout.trim(),
    AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile,
    AWS_ENDPOINT_URL_STS: rig.s3.endpoint,
    AWS_ENDPOINT_URL_S3: rig.s3.endpoint,
    AWS_REGION: 'us-east-1',
  };
  const file = join(work, 'hello.txt');
  writeFileSync(file, 'hello from a pod\n');
  const own = 's3://apps-web/hello.txt';
  const put = await runAws(rig.binaries.aws, ['s3', 'cp', file, own], awsVars);
  if (put.code !== 0) throw new Error(`aws s3 cp: ${put.stderr}`);
  proof(`aws s3 cp hello.txt ${own}`);
  const listed = await runAws(rig.binaries.aws, ['s3', 'ls', 's3://apps-web/'], awsVars);
  if (listed.code !== 0 || !listed.stdout.includes('hello.txt')) throw new Error(`aws s3 ls: ${listed.stderr}`);
  proof('aws s3 ls s3://apps-web/ lists its own bucket');
  for (const [args, what] of [
    [['s3', 'cp', file, 's3://apps-other/hello.txt'], 'writing into another workload\'s bucket'],
    [['s3', 'ls', 's3://apps-other/'], 'listing another workload\'s bucket'],
  ] as const) {
    const other = await runAws(rig.binaries.aws, [...args], awsVars);
    if (other.code === 0) throw new Error(`the policy allowed ${what}`);
    proof(`${what} -> AccessDenied, as it must be`);
  }

  say('6. The manifests, accepted by the real apiserver (no kubelet runs them here)');
  const pod = await cli(['render', 'pod']);
  await kubectl(['apply', '-f', '-'], pod.stdout);
  const litestream = await cli(['render', 'litestream', '--app-image', 'nginx:1.27']);
  await kubectl(['apply', '-f', '-'], litestream.stdout);
  proof('minio-irsa render pod | kubectl apply -f -   and   minio-irsa render litestream --app-image ... | kubectl apply -f -');
  process.stdout.write(`# --- minio-irsa render pod ---\n${pod.stdout}`);
  say('The whole chain works: the pod above gets MinIO credentials from its service-account token alone.');
} catch (error) {
  failed = true;
  rig.markFailed();
  console.error(`\ndemo failed: ${(error as Error).message}`);
} finally {
  await rig.stop();
  if (!failed) console.error('Sandbox stopped and removed.');
}
process.exitCode = failed ? 1 : 0;
