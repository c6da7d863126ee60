import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = join(ROOT, 'bin', 'minio-irsa.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  nodeArgs?: string[];
}

/** Run the built CLI as a user would: a child process, no terminal, CI-like env. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return run(process.execPath, [...(options.nodeArgs ?? []), BIN, ...args], { ...options, env: { NO_COLOR: '1', ...options.env } });
}

/** Run any program (kubectl, mc, aws); `cleanEnv` starts from an empty environment. */
export function run(command: string, args: string[], options: CliOptions & { cleanEnv?: boolean } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: options.cleanEnv ? (options.env as NodeJS.ProcessEnv) : { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
