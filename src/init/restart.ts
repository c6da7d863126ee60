import { OperationError } from '../errors.js';
import { httpRequest } from '../net.js';
import type { InitContext, RestartMethod } from './context.js';
import type { StepOutcome } from './types.js';

// MinIO reads certs/CAs/ and loads OpenID providers at startup only. How it restarts depends
// on where it runs: through its admin API (what `mc admin service restart` does), the user's
// command, or the user's hands, then we wait until it answers again.

const HOW_BY_LOCATION: Record<string, string[]> = {
  host: ['systemctl restart minio (or restart the minio process)', 'or: mc admin service restart ALIAS'],
  container: ['docker restart minio (or: docker compose restart minio; a NAS app: restart it in its UI)'],
  cluster: ['kubectl rollout restart -n MINIO_NAMESPACE deployment/minio (or statefulset/minio)'],
};

export function restartMethod(context: InitContext): RestartMethod {
  if (context.flags.minioRestart) return context.flags.minioRestart;
  if (context.flags.minioRestartCmd) return 'command';
  if (context.admin) return 'admin';
  return context.prompter.interactive && !context.yes ? 'wait' : 'manual';
}

export async function restartMinio(context: InitContext, why: string): Promise<StepOutcome> {
  const method = restartMethod(context);
  const location = context.known('minioLocation') ?? 'host';
  if (context.dryRun) return { status: 'planned', message: `(plan) would restart MinIO (${method}): ${why}` };
  if (method === 'manual') {
    return { status: 'manual', blocking: true, message: `restart MinIO (${why}), then run minio-irsa init again`, commands: HOW_BY_LOCATION[location] };
  }
  const before = context.admin ? await context.admin.serverInfo().catch(() => undefined) : undefined;
  if (method === 'admin') {
    if (!context.admin) throw new OperationError('--minio-restart admin needs admin credentials', 'pass --alias, or MINIO_ROOT_USER/MINIO_ROOT_PASSWORD, or choose another --minio-restart');
    await context.mustConfirm(`restart MinIO now (${why})? Its clients see a short interruption`);
    await context.admin.restartService();
  } else if (method === 'command') {
    const command = context.flags.minioRestartCmd;
    if (!command) throw new OperationError('--minio-restart command needs --minio-restart-cmd', 'pass --minio-restart-cmd "systemctl restart minio" (or docker restart ..., kubectl rollout restart ...)');
    await context.mustConfirm(`run "${command}" to restart MinIO (${why})?`);
    const { execa } = await import('execa');
    const result = await execa(command, { shell: true, reject: false, timeout: 120_000, stdin: 'ignore', all: true });
    if (result.exitCode !== 0) throw new OperationError(`the restart command failed (exit ${String(result.exitCode ?? result.signal)}): ${(result.all ?? '').split('\n').slice(-3).join(' / ')}`, 'fix --minio-restart-cmd, or restart MinIO yourself and run init again');
  } else {
    const done = await context.prompter.confirm(`restart MinIO now (${HOW_BY_LOCATION[location]?.[0] ?? 'restart it'}): ${why}. Done?`, '--minio-restart', true);
    if (!done) return { status: 'manual', blocking: true, message: `restart MinIO (${why}), then run minio-irsa init again`, commands: HOW_BY_LOCATION[location] };
  }
  await waitUntilRestarted(context, before?.uptime);
  return { status: 'done', message: `MinIO restarted (${method === 'admin' ? 'admin API' : method === 'command' ? context.flags.minioRestartCmd : 'by you'}): ${why}` };
}

/**
 * Back and ready after the restart. A restart is seen as a moment the server did not answer,
 * or (if that moment was missed) a smaller uptime than before.
 */
async function waitUntilRestarted(context: InitContext, uptimeBefore: number | undefined): Promise<void> {
  const endpoint = await context.answer('endpoint');
  const deadline = Date.now() + 120_000;
  const { extendDeadline } = await import('../timeout.js');
  extendDeadline(120_000);
  let sawDown = uptimeBefore === undefined; // without admin access the restart already happened (a command, the user)
  while (Date.now() < deadline) {
    const ready = await httpRequest(new URL('/minio/health/ready', endpoint).href, { method: 'GET', caPem: context.minioCaPem, peer: 'minio' }).catch(() => undefined);
    if (ready?.status !== 200) sawDown = true;
    else if (sawDown && (!context.admin || (await context.admin.serverInfo().then(() => true, () => false)))) return;
    else if (context.admin && uptimeBefore !== undefined && uptimeBefore >= 3) {
      const info = await context.admin.serverInfo().catch(() => undefined);
      if (info?.uptime !== undefined && info.uptime < uptimeBefore) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new OperationError(`MinIO at ${endpoint} did not come back within 2 minutes of the restart`, "look at MinIO's log: a provider it cannot load at startup stalls its IAM (minio-irsa doctor names why)");
}
