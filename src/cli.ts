import { Command, CommanderError, Option } from 'commander';
import { CancelledError, ExitCode, IrsaError, ReportedFailure, UsageError, exitCodeOf } from './errors.js';
import { INJECTION_SETTINGS, SETTINGS, WORKLOAD_SETTINGS, type SettingName } from './settings.js';
import { decimalInteger, InvalidValue } from './validate.js';
import { printable } from './encode.js';

// The program: options and help only. Each command's module is imported when it runs, so
// --help and render never load the Kubernetes or MinIO clients.

declare const __VERSION__: string;

const PROVIDER: SettingName[] = ['configUrl', 'clientId', 'rolePolicy', 'displayName', 'provider', 'isolation'];

// -o/--output is a format in every command (kubectl's convention); files are --out.
const MINIO_ENV_OUTPUT = () =>
  new Option('-o, --output <format>', 'settings format: env (POSIX shell, compose env_file, systemd), docker (docker --env-file), systemd, compose, kubernetes')
    .choices(['env', 'docker', 'systemd', 'compose', 'kubernetes'])
    .default('env');

function withSettings(command: Command, names: readonly SettingName[]): Command {
  for (const name of names) {
    const spec = SETTINGS[name];
    const shown = Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default);
    const where = spec.default === undefined ? '' : ` [default: ${shown === '' ? 'none' : shown}]`;
    command.addOption(new Option(`${spec.flag} ${spec.valueName}`, `${spec.description}${where}`));
  }
  return command;
}

/** Where MinIO's admin credentials come from; never a secret on the command line. */
function withAdmin(command: Command): Command {
  withSettings(command, ['alias']);
  return command
    .option('--admin-user <access-key>', 'admin access key (the secret comes from --admin-secret-file or MINIO_ROOT_PASSWORD)')
    .option('--admin-secret-file <file>', 'file holding the admin secret key on its first line')
    .option('--minio-ca-file <file>', "CA of MinIO's own TLS certificate, when it is private");
}

type Action = (flags: Record<string, unknown>) => Promise<void>;

/** Merge the global flags in and hand the command's flags to a lazily imported module. */
function run(load: () => Promise<Action>) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const action = await load();
    await action(command.optsWithGlobals());
  };
}

export function buildProgram(): Command {
  const program = new Command('minio-irsa')
    .description('IAM Roles for Service Accounts for MinIO: pods get temporary MinIO credentials from their service-account token, no static keys.')
    .version(__VERSION__, '-V, --version')
    .option('-c, --config <path>', 'profile file [default: ./minio-irsa.yaml when present]')
    .option('--debug', 'show stack traces and debug output')
    .option('--timeout <seconds>', "deadline for all of a command's network work (each request, and the whole operation)", '15')
    .showSuggestionAfterError()
    .exitOverride()
    // commander echoes what the user typed in its errors: make it printable, line by line.
    .configureOutput({ writeErr: (text) => process.stderr.write(text.split('\n').map(printable).join('\n')), writeOut: (text) => process.stdout.write(text) });
  program.hook('preAction', async (_program, action) => {
    const globals = action.optsWithGlobals();
    if (globals['debug']) (await import('./ui/logger.js')).logger.setDebug(true);
    let seconds: number;
    try {
      seconds = decimalInteger(globals['timeout'], 1, 600, 'seconds');
    } catch (error) {
      if (error instanceof InvalidValue) throw new UsageError(`--timeout ${error.message}`, 'pass a valid --timeout');
      throw error;
    }
    (await import('./timeout.js')).setNetworkTimeout(seconds * 1000);
    await (await import('./ui/color.js')).loadColor();
  });

  withAdmin(
    withSettings(
      program
        .command('init')
        .description('the guided set-up, from nothing to a workload that reaches MinIO with no key: every step observes first and changes only what differs; resumable')
        .option('-y, --yes', 'accept the defaults and suggestions, and every confirmation (unattended)')
        .option('--dry-run', 'show the whole plan and change nothing')
        .option('--out-dir <dir>', 'where the CA, settings, client secret and manifests are written', 'minio-irsa-files')
        .option('--force', 'replace files in --out-dir whose content would change')
        .option('--rotate-secret', "give MinIO's provider a new client secret (never done otherwise on a re-run)")
        .option('--ca-file <file>', 'the cluster CA, instead of the one found in the kubeconfig or cluster')
        .option('--ca-delivered', "MinIO already trusts the cluster CA (you copied it into its certs/CAs/ and restarted it)")
        .addOption(new Option('--subject <who>', 'discovery RBAC for User system:anonymous, or Group system:unauthenticated').choices(['user', 'group']).default('user'))
        .addOption(new Option('--minio-restart <how>', 'how MinIO restarts: admin (its admin API, like mc admin service restart), command (--minio-restart-cmd), wait (you restart it, init waits), manual (init stops and tells you)').choices(['admin', 'command', 'wait', 'manual']))
        .option('--minio-restart-cmd <command>', 'a command that restarts MinIO (systemctl restart minio, docker restart minio, kubectl rollout restart ...)')
        .addOption(new Option('--minio-env-format <format>', 'without admin credentials: the format of MinIO\'s settings file [default: by --minio-location]').choices(['env', 'docker', 'systemd', 'compose', 'kubernetes']))
        .option('--create-service-account', "create the workload's ServiceAccount (and namespace) for the proof when missing")
        .option('--skip-proof', 'do not mint a token and exchange it')
        .option('--skip-doctor', 'do not run the doctor checks at the end')
        .option('--app-image <image>', 'also write litestream.yaml for this application image')
        .addOption(new Option('-o, --output <format>', 'output format (json: the steps as data; needs --yes or --dry-run)').choices(['text', 'json']).default('text')),
      ['kubeconfig', 'context', 'minioLocation', 'endpoint', 'region', 'configUrl', 'provider', 'clientId', 'displayName', 'rolePolicy', 'isolation', 'namespace', 'serviceAccount', 'bucket', 'prefix', 'tokenExpiration', 'clientSecretFile', 'minioCertsDir'],
    ),
  ).action(run(async () => (await import('./commands/init.js')).initCommand as Action));

  withAdmin(
    withSettings(
      program
        .command('role-arn')
        .description("print MinIO's role ARN: derived from the client id, or read from MinIO (log, command, admin API) and cross-checked")
        .option('--from-logs <file>', "read it from MinIO's log (- for stdin)")
        .option('--from-command <command>', 'run a command that prints MinIO\'s log (e.g. "kubectl logs -n minio deploy/minio") and read it there')
        .option('--command-timeout <seconds>', 'with --from-command: stop the command after this long', '60')
        .option('--from-admin', "ask MinIO's admin API (needs admin credentials)")
        .option('--all', 'with a log: print every role ARN found, not just this client id\'s')
        .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text')),
      ['clientId', 'region', 'provider', 'endpoint', 'isolation'],
    ),
  ).action(run(async () => (await import('./commands/role-arn.js')).roleArnCommand as Action));

  withSettings(
    program
      .command('inject')
      .description('add the token volume, its mount and the AWS_* variables to every pod template in manifests (files, directories, or stdin): kubectl get deploy web -o yaml | minio-irsa inject | kubectl apply -f -')
      .argument('[paths...]', 'manifest files or directories (*.yaml, *.yml, *.json); none or - reads stdin')
      .option('--allow-static-keys', 'inject even into containers that set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY'),
    INJECTION_SETTINGS,
  ).action(async (paths: string[], _options: unknown, command: Command) => {
    const { injectCommand } = await import('./commands/inject.js');
    await injectCommand(paths, command.optsWithGlobals());
  });

  const render = program
    .command('render')
    .description('print manifests and configuration on stdout (pipe to kubectl apply -f -)');

  withSettings(
    render
      .command('pod')
      .description('a ServiceAccount and a test pod with the aws CLI, the projected token and the AWS_* env')
      .option('--name <name>', 'pod name', 'minio-irsa-test')
      .option('--image <image>', 'container image with the aws CLI', 'amazon/aws-cli:latest'),
    WORKLOAD_SETTINGS,
  ).action(run(async () => (await import('./commands/render-workload.js')).renderPodCommand as Action));

  withSettings(
    render
      .command('litestream')
      .description('a StatefulSet whose SQLite database litestream restores from and replicates to MinIO')
      .option('--name <name>', 'StatefulSet name', 'app')
      .option('--app-image <image>', 'the application container image (required)')
      .option('--db-path <path>', 'SQLite database path inside the pod', '/db/app.db')
      .addOption(new Option('--litestream-version <version>', 'litestream release line (0.3: replicas list; 0.5: replica, needs AWS_ENDPOINT_URL_STS)').choices(['0.3', '0.5']).default('0.5'))
      .option('--litestream-image <image>', 'litestream image [default: litestream/litestream:0.3.13 or :0.5]'),
    [...WORKLOAD_SETTINGS, 'bucket', 'prefix'],
  ).action(run(async () => (await import('./commands/render-workload.js')).renderLitestreamCommand as Action));

  render
    .command('rbac')
    .description('the ClusterRoleBinding that lets MinIO read issuer discovery anonymously')
    .addOption(new Option('--subject <who>', 'bind User system:anonymous, or Group system:unauthenticated').choices(['user', 'group']).default('user'))
    .action(run(async () => (await import('./commands/render.js')).renderRbacCommand as Action));

  render
    .command('authn-config')
    .description('an AuthenticationConfiguration allowing anonymous requests only on the discovery paths (Kubernetes >= 1.32)')
    .addOption(new Option('--api-version <version>', 'v1beta1 (Kubernetes >= 1.32) or v1 (>= 1.34)').choices(['v1beta1', 'v1']).default('v1beta1'))
    .action(run(async () => (await import('./commands/render.js')).renderAuthnConfigCommand as Action));

  withSettings(
    render
      .command('minio-env')
      .description("MinIO's MINIO_IDENTITY_OPENID_* settings with a new random client secret")
      .addOption(MINIO_ENV_OUTPUT())
      .option('--out <file>', 'write to FILE with mode 0600 instead of stdout (- for stdout)')
      .option('--force', 'with --out: replace an existing regular file')
      .option('--client-secret-file <file>', 'reuse the client secret on the first line of FILE instead of generating one')
      .option('--minio-namespace <name>', 'with --format kubernetes: MinIO\'s namespace', 'minio')
      .option('--secret-name <name>', 'with --format kubernetes: Secret and ConfigMap name', 'minio-irsa-openid'),
    PROVIDER,
  ).action(run(async () => (await import('./commands/render.js')).renderMinioEnvCommand as Action));

  withSettings(
    render.command('policy').description('a least-privilege MinIO policy, by --isolation: a bucket of its own, or <bucket>/<prefix><its sub>/ in a shared one'),
    ['bucket', 'prefix', 'isolation', 'namespace', 'serviceAccount'],
  ).action(run(async () => (await import('./commands/render.js')).renderPolicyCommand as Action));

  withSettings(
    render
      .command('webhook')
      .description('the mutating webhook for a cluster: Namespace, RBAC, serving certificate, Deployment, Service, PodDisruptionBudget, MutatingWebhookConfiguration (--url: the configuration alone, for a webhook run elsewhere)')
      .option('--name <name>', 'name of every object', 'minio-irsa-webhook')
      .option('--namespace <name>', "the webhook's own namespace (never mutated)", 'minio-irsa')
      .option('--image <image>', 'the webhook image (build it with the Dockerfile) [default: minio-irsa:<version>]')
      .option('--replicas <n>', 'webhook replicas', '2')
      .addOption(new Option('--failure-policy <policy>', 'when the webhook cannot be reached: Ignore (pods start unmutated; doctor finds them) or Fail (pod creation refused)').choices(['Ignore', 'Fail']).default('Ignore'))
      .option('--webhook-timeout <seconds>', 'how long the apiserver waits for the webhook', '5')
      .option('--namespace-opt-in', `mutate only in namespaces labelled minio-irsa.io/webhook=enabled`)
      .option('--cert-manager', 'let cert-manager issue the serving certificate and inject the caBundle')
      .option('--tls-cert-file <file>', 'bring your own serving certificate (with --tls-key-file and --ca-file)')
      .option('--tls-key-file <file>', 'its private key')
      .option('--ca-file <file>', 'the CA that signed it (the caBundle)')
      .option('--days <n>', 'validity of a generated certificate', '365')
      .option('--url <url>', 'register a webhook served outside the cluster at this https URL (needs --ca-file)'),
    INJECTION_SETTINGS,
  ).action(async (_options: unknown, command: Command) => {
    const { renderWebhookCommand } = await import('./commands/webhook.js');
    await renderWebhookCommand(command.optsWithGlobals(), __VERSION__);
  });

  const webhook = program.command('webhook').description('the mutating admission webhook: pods of opted-in ServiceAccounts get the token, its mount and the AWS_* variables');
  withSettings(
    webhook
      .command('serve')
      .description('serve AdmissionReview v1 over HTTPS (POST /mutate); /healthz, /readyz and /metrics on the metrics port')
      .option('--address <ip>', 'address for the apiserver', '0.0.0.0')
      .option('--port <port>', 'HTTPS port (0: any free port)', '8443')
      .option('--metrics-address <ip>', 'address for health and Prometheus metrics', '0.0.0.0')
      .option('--metrics-port <port>', 'plain HTTP port for /healthz, /readyz, /metrics (0: any free port)', '9090')
      .option('--tls-cert-file <file>', 'serving certificate (PEM)', '/etc/minio-irsa/webhook/tls.crt')
      .option('--tls-key-file <file>', 'its private key (PEM)', '/etc/minio-irsa/webhook/tls.key')
      .option('--namespace-opt-in', 'mutate only in namespaces labelled minio-irsa.io/webhook=enabled')
      .option('--lookup-grace <ms>', 'how long to wait for a ServiceAccount created with its pod before asking the apiserver', '2000')
      .option('--shutdown-delay <seconds>', 'on SIGTERM, keep serving this long while unready, so endpoints drop the pod first', '5'),
    ['kubeconfig', 'context', ...INJECTION_SETTINGS],
  ).action(run(async () => (await import('./commands/webhook.js')).webhookServeCommand as Action));

  webhook
    .command('certs')
    .description('a CA and a serving certificate for the webhook (tls.crt, tls.key 0600, ca.crt), for a webhook run outside the cluster')
    .requiredOption('--out-dir <dir>', 'where to write them')
    .option('--name <name>', 'the Service name the certificate covers', 'minio-irsa-webhook')
    .option('--namespace <name>', "the webhook's namespace", 'minio-irsa')
    .option('--host <name-or-ip...>', 'more names or IP addresses to cover (127.0.0.1 for a local webhook)')
    .option('--days <n>', 'validity', '365')
    .option('--force', 'replace existing files (rotation)')
    .action(run(async () => (await import('./commands/webhook.js')).webhookCertsCommand as Action));

  const cluster = program.command('cluster').description('the cluster side: anonymous issuer discovery, RBAC, CA');
  withSettings(
    cluster
      .command('check')
      .description('check every cluster-side link MinIO depends on, and say how to fix a broken one')
      .option('--ca-file <file>', 'check this CA instead of the one found in the kubeconfig or cluster')
      .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text')),
    ['kubeconfig', 'context', 'configUrl'],
  ).action(run(async () => (await import('./commands/cluster.js')).clusterCheckCommand as Action));

  withSettings(
    cluster
      .command('apply')
      .description('let MinIO read issuer discovery anonymously: plan, confirm, apply the ClusterRoleBinding, verify')
      .addOption(new Option('--subject <who>', 'bind User system:anonymous, or Group system:unauthenticated').choices(['user', 'group']).default('user'))
      .option('-y, --yes', 'apply without asking')
      .option('--dry-run', 'show the plan (validated by a server-side dry run) and change nothing'),
    ['kubeconfig', 'context', 'configUrl'],
  ).action(run(async () => (await import('./commands/cluster.js')).clusterApplyCommand as Action));

  withSettings(
    program
      .command('reset')
      .description('remove what minio-irsa created in the cluster (only objects it owns)')
      .option('-y, --yes', 'remove without asking')
      .option('--dry-run', 'say what would be removed'),
    ['kubeconfig', 'context'],
  ).action(run(async () => (await import('./commands/cluster.js')).resetCommand as Action));

  const ca = program.command('ca').description("the cluster CA that MinIO must trust");
  withSettings(
    ca
      .command('export')
      .description("find the cluster CA, prove it validates the config URL's host, and write it (PEM)")
      .option('--ca-file <file>', 'validate and export this CA instead of finding one')
      .option('--out <file>', 'write to FILE (mode 0644) instead of stdout (- for stdout)')
      .option('--force', 'with --out: replace an existing regular file'),
    ['kubeconfig', 'context', 'configUrl'],
  ).action(run(async () => (await import('./commands/ca.js')).caExportCommand as Action));

  withSettings(
    program
      .command('token')
      .description("mint a service-account token like a pod's and show its claims (iss, sub, aud, exp, kid)")
      .option('--raw', 'print the token itself (it is a credential: handle it as one)')
      .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text')),
    ['kubeconfig', 'context', 'namespace', 'serviceAccount', 'clientId', 'tokenExpiration'],
  ).action(run(async () => (await import('./commands/token.js')).tokenCommand as Action));

  const minio = program.command('minio').description('the MinIO side: server, OpenID provider, policies');
  withAdmin(
    withSettings(
      minio
        .command('info')
        .description("MinIO's version and region, and its OpenID providers with their role ARNs")
        .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text')),
      ['endpoint'],
    ),
  ).action(run(async () => (await import('./commands/minio.js')).minioInfoCommand as Action));

  withAdmin(
    withSettings(
      minio
        .command('policy')
        .description('the least-privilege policy for --isolation (bucket: the workload\'s own bucket, created too; prefix: <bucket>/<prefix><its sub>/); --apply creates it in MinIO')
        .option('--apply', 'create or update it in MinIO through the admin API')
        .option('--name <name>', 'policy name in MinIO [default: the first role policy]'),
      ['endpoint', 'bucket', 'prefix', 'rolePolicy', 'isolation', 'namespace', 'serviceAccount'],
    ),
  ).action(run(async () => (await import('./commands/minio.js')).minioPolicyCommand as Action));

  withAdmin(
    withSettings(
      minio
        .command('configure')
        .description("MinIO's OpenID provider with a random secret: as settings (like render minio-env) or --apply through the admin API; checks discovery the way MinIO will first")
        .option('--apply', 'add or update the provider through the admin API (MinIO then needs a restart)')
        .option('--ca-file <file>', 'the CA MinIO will trust for the config URL [default: the cluster CA from the kubeconfig]')
        .option('--skip-verify', 'do not check the config URL and CA first (MinIO stalls its IAM if they fail at startup)')
        .addOption(MINIO_ENV_OUTPUT())
        .option('--out <file>', 'write the settings to FILE with mode 0600 (- for stdout)')
        .option('--force', 'with --out: replace an existing regular file')
        .option('--client-secret-file <file>', 'reuse the client secret on the first line of FILE')
        .option('--minio-namespace <name>', "with --format kubernetes: MinIO's namespace", 'minio')
        .option('--secret-name <name>', 'with --format kubernetes: Secret and ConfigMap name', 'minio-irsa-openid'),
      ['endpoint', 'configUrl', 'clientId', 'rolePolicy', 'displayName', 'provider', 'isolation', 'kubeconfig', 'context'],
    ),
  ).action(run(async () => (await import('./commands/minio.js')).minioConfigureCommand as Action));

  withSettings(
      program
        .command('exchange')
        .description("trade a service-account token for MinIO credentials (STS AssumeRoleWithWebIdentity) as a pod would; --probe proves them on S3")
        .option('--token-file <file>', "use this token instead of minting one with the TokenRequest API")
        .option('--duration <seconds>', 'credential lifetime, 900 to 31536000 [default: until the token expires]')
        .option('--probe', 'put/get/delete a probe object in the workload\'s own prefix and check that writing elsewhere is denied')
        .option('--export', 'print the credentials as shell export lines (they are secrets)')
        .option('--minio-ca-file <file>', "CA of MinIO's own TLS certificate, when it is private")
        .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text')),
      ['endpoint', 'region', 'clientId', 'roleArn', 'kubeconfig', 'context', 'namespace', 'serviceAccount', 'tokenExpiration', 'bucket', 'prefix', 'isolation'],
  ).action(run(async () => (await import('./commands/exchange.js')).exchangeCommand as Action));

  const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((item) => item.trim()).filter(Boolean)];
  withAdmin(
    withSettings(
      program
        .command('doctor')
        .description('check every link of the chain (cluster, discovery, TLS and CA, MinIO, provider, policy, exchange) and name the broken one with its fix; read-only unless --probe')
        .option('--probe', "also write, read and delete a test object in the workload's own place (and prove elsewhere is denied)")
        .option('--category <names>', 'only these categories (comma-separated: Kubernetes, TLS and CA, MinIO, Exchange, Workloads)', collect)
        .option('--skip <ids>', 'leave out these checks (comma-separated ids, see docs/checks.md)', collect)
        .option('--wait <seconds>', 'retry checks that can become true (after a restart) for up to this long', '0')
        .option('--ca-file <file>', 'the cluster CA to check instead of the one found in the kubeconfig or cluster')
        .option('--minio-log <file>', "MinIO's log, to name why a provider did not load (- for stdin)")
        .option('--minio-log-command <command>', 'a command printing MinIO\'s log (kubectl logs ..., docker logs ..., journalctl -u minio)')
        .option('--pod <ns/name>', 'inspect this live pod\'s wiring (repeatable, or comma-separated)', collect)
        .option('--workload <kind/ns/name>', 'inspect the pod template of a Deployment, StatefulSet, DaemonSet, Job or CronJob', collect)
        .option('--all-workloads', 'inspect every workload of --namespace that uses web identity (controllers by their template, and pods no controller owns)')
        .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text')),
      ['kubeconfig', 'context', 'configUrl', 'endpoint', 'region', 'provider', 'clientId', 'rolePolicy', 'roleArn', 'isolation', 'namespace', 'serviceAccount', 'bucket', 'prefix'],
    ),
  ).action(run(async () => (await import('./commands/doctor.js')).doctorCommand as Action));

  return program;
}

/** The one place errors become messages and exit codes. */
export async function main(argv: readonly string[]): Promise<number> {
  // Source maps ship with dist/: with --debug, stack traces point into src/, not minified code.
  if (argv.includes('--debug')) process.setSourceMapsEnabled(true);
  // Ctrl-C anywhere (a spinner, a slow request): stop at once, say so, exit 130.
  process.once('SIGINT', () => {
    if (process.stderr.isTTY) process.stderr.write('\x1b[?25h\n'); // a spinner hides the cursor
    process.stderr.write('cancelled (Ctrl-C)\n');
    process.exit(ExitCode.cancelled);
  });
  const program = buildProgram();
  try {
    await program.parseAsync([...argv]);
    return ExitCode.ok;
  } catch (error) {
    return report(error);
  }
}

async function report(error: unknown): Promise<number> {
  if (error instanceof CommanderError) {
    // Commander already printed its one line; help and --version are not failures.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    process.stderr.write('  run "minio-irsa --help" (or "minio-irsa <command> --help") for usage\n');
    return ExitCode.usage;
  }
  if (error instanceof ReportedFailure) return error.exitCode;
  // Loaded only on failure: --help needs neither the logger nor colours.
  await (await import('./ui/color.js')).loadColor();
  const { logger } = await import('./ui/logger.js');
  if (error instanceof CancelledError) {
    logger.info('cancelled');
    return error.exitCode;
  }
  if (error instanceof IrsaError) {
    logger.error(error.message, error.hint);
    if (logger.debugEnabled && error.stack) logger.debug(error.stack);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  logger.error(`unexpected failure: ${message}`, logger.debugEnabled ? undefined : 'run again with --debug and report the stack trace');
  if (error instanceof Error && error.stack) logger.debug(error.stack);
  return exitCodeOf(error);
}
