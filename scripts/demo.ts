// The sandbox: real etcd, kube-apiserver and MinIO on loopback, and the whole IRSA chain
// driven by the built CLI from a minio-irsa.yaml profile, saying what each step proves.
// Everything is torn down at the end.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

let failed = false;
try {
  say('1. minio-irsa init --yes: discovery RBAC, CA into MinIO, policy and bucket, OpenID provider, restarts through the admin API, a real token exchange, manifests, then doctor');
  await cli([
    'init',
    '--yes',
    '--kubeconfig',
    rig.cluster.kubeconfig,
    '--endpoint',
    rig.s3.endpoint,
    '--namespace',
    'apps',
    '--service-account',
    'web',
    '--minio-certs-dir',
    rig.s3.certsDir,
    '--create-service-account',
    '--app-image',
    'nginx:1.27',
  ]);
  proof(`kube-apiserver ${rig.cluster.server}, MinIO ${rig.s3.endpoint}; answers in ${join(work, 'minio-irsa.yaml')}, files in ${join(work, 'minio-irsa-files')}`);

  say('2. Run it again: everything is observed first, and nothing changes');
  const again = await cli(['init', '--yes', '--skip-doctor']);
  if (!/nothing changed/.test(again.stderr)) throw new Error('a second init changed something');
  proof('RBAC, policy, provider and client secret untouched; MinIO not restarted');

  const arn = await cli(['role-arn']);
  const mc = mcFor(rig.binaries.mc, rig.s3);
  await mc(['mb', 'rig/apps-other']);
  await mc(['cp', file0(), 'rig/apps-other/their-data.db']);

  say('3. The real aws CLI with only the five AWS_* variables of the pod manifest: no key anywhere');
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

  say('4. The manifests init wrote, accepted by the real apiserver (no kubelet runs them here)');
  const pod = readFileSync(join(work, 'minio-irsa-files', 'pod.yaml'), 'utf8');
  await kubectl(['apply', '-f', '-'], pod);
  await kubectl(['apply', '-f', '-'], readFileSync(join(work, 'minio-irsa-files', 'litestream.yaml'), 'utf8'));
  proof('kubectl apply -f minio-irsa-files/pod.yaml   and   kubectl apply -f minio-irsa-files/litestream.yaml');
  process.stdout.write(`# --- minio-irsa-files/pod.yaml ---\n${pod}`);
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
