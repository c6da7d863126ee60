import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { printable } from '../encode.js';
import { UsageError } from '../errors.js';
import { readBoundedFile, readBoundedStdin } from '../fs-safe.js';
import { injectManifests } from '../inject/manifests.js';
import { emptyReport, mergeReport } from '../inject/plan.js';
import { loadProfile, resolveSettings, type FlagValues } from '../profile.js';
import { injectionSettingsFor } from '../render/workload.js';
import { INJECTION_SETTINGS } from '../settings.js';
import { logger } from '../ui/logger.js';
import { writeOut } from '../ui/output.js';

// inject: manifests in (files, directories, stdin), the same manifests out with the token
// volume, its mount and the AWS_* variables added to every pod template. Offline, like
// `linkerd inject`; usable as a Helm post-renderer (stdin to stdout).

const MAX_INPUT_BYTES = 256 << 20;
const MANIFEST = /\.(ya?ml|json)$/i;

interface InjectFlags extends FlagValues {
  config?: string;
  allowStaticKeys?: boolean;
}

async function inputs(paths: readonly string[]): Promise<string[]> {
  if (paths.length === 0) {
    // Nothing piped in: waiting on a terminal would look like a hang.
    if (process.stdin.isTTY) throw new UsageError('no manifests: nothing on stdin and no paths given', 'pipe manifests in (kubectl get deploy web -o yaml | minio-irsa inject), or pass files or directories');
    return ['-'];
  }
  const files: string[] = [];
  for (const path of paths) {
    if (path === '-') {
      files.push(path);
      continue;
    }
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new UsageError(`${printable(path)} does not exist`, 'pass manifest files, directories, or - for stdin');
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    files.push(...(await manifestsUnder(path)));
  }
  return files;
}

/**
 * The manifest files under a directory, sorted by their path in it. Symbolic links to
 * directories are not followed (as kubectl -R does not): a link to a parent would loop.
 */
async function manifestsUnder(root: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(join(root, relative), { withFileTypes: true }).catch((error: unknown) => {
      throw new UsageError(`cannot read the directory ${printable(join(root, relative))}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, 'pass manifest files, directories, or - for stdin');
    });
    for (const entry of entries) {
      const path = join(relative, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (MANIFEST.test(entry.name)) found.push(path);
    }
  };
  await walk('');
  return found.sort().map((path) => join(root, path));
}

/** What goes between two files' documents: "---", or "..." before a file that starts with a directive (%YAML), which may only follow the end of a document. */
function separatorBefore(text: string): string {
  return /^(?:[ \t]*(?:#.*)?\r?\n)*%/.test(text) ? '...\n' : '---\n';
}

export async function injectCommand(paths: string[], flags: InjectFlags): Promise<void> {
  const profile = await loadProfile(flags.config);
  const settings = await resolveSettings(INJECTION_SETTINGS, flags, profile);
  const injection = injectionSettingsFor(settings);
  const total = emptyReport();
  const outputs: string[] = [];
  for (const file of await inputs(paths)) {
    const source = file === '-' ? 'stdin' : file;
    const text = file === '-' ? await readBoundedStdin(MAX_INPUT_BYTES, 'manifests') : (await readBoundedFile(file, MAX_INPUT_BYTES, 'manifests', 'pass manifest files, directories, or - for stdin')).text;
    const result = await injectManifests(text, source, injection, { allowStaticKeys: Boolean(flags.allowStaticKeys) });
    if (result.text.trim() !== '') outputs.push(result.text);
    mergeReport(total, result.report);
  }
  writeOut(outputs.map((text, index) => `${index === 0 || text.startsWith('---') ? '' : separatorBefore(text)}${text}`).join(''));
  for (const note of total.notes) logger.warn(note);
  logger.info(
    `injected ${total.injected.length}${total.injected.length ? ` (${total.injected.slice(0, 5).join(', ')}${total.injected.length > 5 ? `, and ${total.injected.length - 5} more` : ''})` : ''}; already injected ${total.unchanged.length}; opted out ${total.optedOut.length}; other objects passed through ${total.passedThrough}`,
  );
}
