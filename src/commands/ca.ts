import { printable } from '../encode.js';
import { writeFileSafely } from '../fs-safe.js';
import type { Connection } from '../kube/connect.js';
import { loadProfile, resolveIfGiven, resolveSettings, type FlagValues } from '../profile.js';
import { logger } from '../ui/logger.js';
import { outFile, writeOut } from '../ui/output.js';
import { DISCOVERY_PATH } from '../validate.js';

interface CaFlags extends FlagValues {
  config?: string;
  caFile?: string;
  out?: string;
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
  const file = outFile(flags.out);
  if (file) {
    await writeFileSafely(file, ca.pem, { mode: 0o644, force: flags.force ?? false, flag: '--out' });
    logger.success(`wrote ${printable(file)}`);
  } else {
    writeOut(ca.pem);
  }
  logger.info('Give it to MinIO:');
  for (const location of CA_LOCATIONS) logger.info(`  ${location}`);
}
