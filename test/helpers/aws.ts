import { run, type CliResult } from './cli.js';
import { scratchDir } from './scratch.js';

/**
 * The real aws CLI with nothing but `vars`: an empty HOME (no ~/.aws), only PATH and pyenv's
 * root kept so the binary itself can start. No key can come from anywhere else.
 */
export function runAws(binary: string, args: string[], vars: Record<string, string>): Promise<CliResult> {
  const env = { PATH: process.env['PATH'] ?? '', HOME: scratchDir('irsa-home-'), PYENV_ROOT: process.env['PYENV_ROOT'] ?? '', ...vars };
  return run(binary, args, { env, cleanEnv: true });
}
