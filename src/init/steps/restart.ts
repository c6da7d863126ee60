import { OperationError } from '../../errors.js';
import type { InitContext } from '../context.js';
import { providerState } from '../provider-state.js';
import { restartMinio } from '../restart.js';
import type { InitStep } from '../types.js';

// Step 7: one restart for what changed (a provider is loaded at startup only), then proof
// that MinIO loaded it.

export const restartStep: InitStep<InitContext> = {
  id: 'restart',
  title: 'MinIO restart',
  async run(context) {
    const reasons = [...new Set(context.restartReasons)];
    if (reasons.length === 0 && context.admin) {
      const state = await providerState(context);
      // Saved by an earlier, interrupted run but never loaded: MinIO reads it as absent, and a restart loads it.
      if (state && !state.loaded && context.dryRun === false) reasons.push('it loads OpenID providers at startup');
    }
    if (reasons.length === 0) return { status: 'unchanged', message: 'no restart needed' };
    const outcome = await restartMinio(context, reasons.join('; '));
    if (outcome.status !== 'done' || !context.admin) return outcome;
    context.provider = undefined;
    const name = await context.answer('provider');
    const deadline = Date.now() + 15_000;
    // A server that has just restarted may still refuse a moment: retried until the deadline.
    const read = () => providerState(context).catch((error: unknown) => (Date.now() < deadline ? undefined : Promise.reject(error)));
    let state = await read();
    while (!state?.loaded && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      context.provider = undefined;
      state = await read();
    }
    if (!state?.loaded) {
      const why = 'minio-irsa doctor --minio-log-command "journalctl -u minio" names why (a config URL or CA MinIO cannot use)';
      // A provider MinIO cannot load stalls its IAM: offer to take it out again (yes with --yes).
      if (context.dryRun || !(await context.confirm(`MinIO did not load provider "${name}"; roll it back (remove it and restart MinIO)?`, '--yes', true))) {
        throw new OperationError(`MinIO restarted but did not load provider "${name}"`, `${why}; to roll back: mc admin idp openid remove ALIAS ${name}`);
      }
      await context.admin.deleteOpenIdProvider(name);
      const back = await restartMinio(context, `provider "${name}" removed`);
      throw new OperationError(`MinIO restarted but did not load provider "${name}": rolled back (${back.message})`, `${why}; fix it, then run minio-irsa init again`);
    }
    return { ...outcome, message: `${outcome.message}; provider "${name}" is loaded` };
  },
};
