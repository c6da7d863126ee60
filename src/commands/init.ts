import { resolve } from 'node:path';
import { IncompleteRun, ReportedFailure, ReportedUsage, UsageError } from '../errors.js';
import { InitContext, type InitFlags } from '../init/context.js';
import { ProfileStore } from '../init/profile-store.js';
import { runSteps, type InitRecord } from '../init/run.js';
import { INIT_STEPS } from '../init/steps/index.js';
import type { Prompter } from '../init/types.js';
import { color, symbols } from '../ui/color.js';
import { logger } from '../ui/logger.js';
import { writeJson } from '../ui/output.js';
import { askConfirm, askSelect, askText, canPrompt } from '../ui/prompts.js';
import { startSpinner, type Spinner } from '../ui/spinner.js';

// init: the guided flow from nothing to a workload that reaches MinIO with no key. Thin: the
// steps live in src/init/steps/, the questions behind a Prompter.

const terminalPrompter: Prompter = {
  get interactive() {
    return canPrompt();
  },
  text: (message, flag, options) => askText({ message, flag, ...(options.default === undefined ? {} : { default: options.default }), validate: options.validate }),
  select: (message, flag, choices, defaultValue) => askSelect(message, flag, choices, defaultValue),
  confirm: (message, flag, defaultAnswer) => askConfirm(message, flag, defaultAnswer),
};

const LABEL: Record<InitRecord['status'], string> = { done: 'done', unchanged: 'ok', planned: 'plan', manual: 'manual', skipped: 'skipped', failed: 'failed' };

function printRecord(record: InitRecord): void {
  const mark = record.status === 'failed' ? symbols.fail : record.status === 'manual' ? symbols.warn : record.status === 'skipped' ? '-' : symbols.ok;
  logger.info(`${mark} ${color.bold(record.title)} ${color.dim(`[${LABEL[record.status]}]`)} ${record.message}`);
  for (const warning of record.warnings ?? []) logger.warn(`  ${warning}`);
  for (const command of record.commands ?? []) logger.info(`    ${command}`);
  if (record.status === 'failed' && record.hint) for (const line of record.hint.split('\n')) logger.info(`  ${color.dim('fix:')} ${line}`);
}

export async function initCommand(flags: InitFlags): Promise<void> {
  if (flags.output === 'json' && !flags.yes && !flags.dryRun && canPrompt()) throw new UsageError('-o json runs unattended', 'pass --yes (or --dry-run) with -o json');
  const json = flags.output === 'json';
  flags.outDir = resolve(flags.outDir);
  const profile = await ProfileStore.open(flags.config, !flags.dryRun);
  const context = new InitContext(flags, profile, json ? { ...terminalPrompter, interactive: false } : terminalPrompter);
  if (!json) logger.info(`${flags.dryRun ? '(plan) ' : ''}minio-irsa init: profile ${profile.path}, files in ${flags.outDir}`);

  let spinner: Spinner | undefined;
  const records = await runSteps(INIT_STEPS, context, {
    started: async (step) => {
      // Spinners only when nothing will be asked (a prompt under a spinner is garbled), and only on a terminal.
      if (!json && (flags.yes || flags.dryRun) && process.stderr.isTTY && !process.env['CI']) spinner = await startSpinner(step.title);
    },
    finished: (record) => {
      spinner?.stop();
      spinner = undefined;
      const collected = context.warnings.splice(0);
      if (collected.length > 0) record.warnings = [...(record.warnings ?? []), ...collected];
      if (!json) printRecord(record);
      if ('stack' in record && typeof record.stack === 'string') logger.debug(record.stack);
    },
  });

  const failed = records.find((record) => record.status === 'failed');
  const manual = records.filter((record) => record.status === 'manual');
  const complete = !failed && records.length === INIT_STEPS.length && manual.length === 0 && !flags.dryRun;
  const changed = records.filter((record) => record.status === 'done').map((record) => record.id);
  let doctor: Awaited<ReturnType<typeof import('./doctor.js').runDoctor>> | undefined;
  if (complete && !flags.skipDoctor) {
    const { runDoctor } = await import('./doctor.js');
    const { restartDeadline } = await import('../timeout.js');
    restartDeadline();
    doctor = await runDoctor({ ...flags, output: 'text' });
  }
  if (json) {
    writeJson({ schemaVersion: 1, complete, dryRun: Boolean(flags.dryRun), changed, steps: records.map((record) => ({ ...record, stack: undefined })), ...(doctor ? { doctor: doctor.json } : {}) });
  } else {
    if (doctor) {
      logger.info('');
      doctor.print();
    }
    logger.info('');
    if (failed) logger.info(`stopped at "${failed.title}": fix it, then run minio-irsa init again (what is done stays done)`);
    else if (flags.dryRun) logger.info(`dry run: nothing was changed; ${records.filter((r) => r.status === 'planned').length} step(s) would change something`);
    else if (manual.length > 0) logger.info(`${manual.length} step(s) need you (above); then run minio-irsa init again: it continues where it stopped`);
    else logger.info(changed.length === 0 ? 'everything was already in place: nothing changed' : `changed: ${changed.join(', ')}; checked: ${records.filter((r) => r.status === 'unchanged').map((r) => r.id).join(', ')}`);
  }
  if (failed) throw 'usage' in failed && failed.usage ? new ReportedUsage(`init stopped at ${failed.id}`) : new ReportedFailure(`init stopped at ${failed.id}`);
  if (doctor && !doctor.json.success) throw new ReportedFailure('doctor found a broken link');
  if (manual.length > 0 || (!complete && !flags.dryRun)) throw new IncompleteRun('init needs a manual step');
}
