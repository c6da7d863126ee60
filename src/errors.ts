// Typed errors. Library code throws these; only main() turns them into messages and exit codes.

export const ExitCode = { ok: 0, failure: 1, usage: 2, incomplete: 3, cancelled: 130 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class IrsaError extends Error {
  readonly exitCode: ExitCode = ExitCode.failure;
  /** What the user can do about it: one line, shown under the error. */
  readonly hint: string | undefined;

  constructor(message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** Bad usage or bad input: a flag, a profile key, a file the user gave us. Exit 2. */
export class UsageError extends IrsaError {
  override readonly exitCode = ExitCode.usage;
}

/** Something we tried failed at run time (a server, the network, a check). Exit 1. */
export class OperationError extends IrsaError {}

/** A failure the command has already shown in full (a check report): exit 1, print nothing more. */
export class ReportedFailure extends OperationError {}

/** Bad input found by a step that has already shown it in full: exit 2. */
export class ReportedUsage extends ReportedFailure {
  override readonly exitCode = ExitCode.usage;
}

/** init stopped at a step that needs a person (copy a file, restart MinIO): shown in full; exit 3. */
export class IncompleteRun extends ReportedFailure {
  override readonly exitCode = ExitCode.incomplete;
}

/**
 * The user answered "no" to a confirmation: nothing was changed, on purpose. Exit 1 (the
 * command did not do its job, so a script must not go on as if it had), not 130.
 */
export class DeclinedError extends OperationError {}

/** The user pressed Ctrl-C (at a prompt, during a spinner, anywhere): exit 130, as for SIGINT. */
export class CancelledError extends IrsaError {
  override readonly exitCode = ExitCode.cancelled;
  constructor(message = 'cancelled') {
    super(message);
  }
}

export function exitCodeOf(error: unknown): ExitCode {
  return error instanceof IrsaError ? error.exitCode : ExitCode.failure;
}
