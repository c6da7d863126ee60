import { writeFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import type { Connection } from '../kube/connect.js';
import { loadProfile, resolveIfGiven, resolveSettings, type FlagValues } from '../profile.js';
import { logger } from '../ui/logger.js';
import { writeOut } from '../ui/output.js';
import { DISCOVERY_PATH } from '../validate.js';

interface CaFlags extends FlagValues {
  config?: string;
  caFile?: string;
  output?: string;
  force?: boolean;
}

/** Find the cluster CA, prove it validates the URL MinIO will use, then write it. */
export async function caExportCommand(flags: CaFlags): Promise<void> {
  const profile = await loadProfile(flags.config);
  const target = await resolveSettings(['kubeconfig', 'context'], flags, profile);
  const configUrl = await resolveIfGiven('configUrl', flags, profile);
  const { connect } = await import('../kube/connect.js');
  const { caFromFile, CA_LOCATIONS, describeCertificate, findClusterCa, verifyCaFor } = await import('../kube/ca.js');
  // One kubeconfig load, and none when --ca-file and --config-url say it all.
  let connection: Connection | undefined;
  const connected = async (): Promise<Connection> => (connection ??= await connect(target));
  const ca = flags.caFile ? await caFromFile(flags.caFile) : await findClusterCa(await connected());
  const url = configUrl ?? new URL(DISCOVERY_PATH, (await connected()).server).href;
  await verifyCaFor(url, ca.pem);
  const cert = describeCertificate(ca.pem);
  logger.success(`${cert.subject} (from ${ca.description}) validates ${new URL(url).host}; SHA-256 ${cert.fingerprint}`);
  if (ca.warning) logger.warn(ca.warning);
  if (flags.output) {
    try {
      await writeFile(flags.output, ca.pem, { flag: flags.force ? 'w' : 'wx', mode: 0o644 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${flags.output} already exists; not overwriting it`, 'choose another -o path, or pass --force');
      throw new UsageError(`cannot write ${flags.output}: ${(error as Error).message}`, 'choose a writable path for -o');
    }
    logger.success(`wrote ${flags.output}`);
  } else {
    writeOut(ca.pem);
  }
  logger.info('Give it to MinIO:');
  for (const location of CA_LOCATIONS) logger.info(`  ${location}`);
}
