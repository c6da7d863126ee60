import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Minio } from '../rig/minio.js';
import { run, type CliResult } from './cli.js';
import { scratchDir } from './scratch.js';

/** MinIO's own client as the rig's independent admin: alias from MC_HOST_rig, no config. */
export function mcFor(mcBinary: string, minio: Minio): (args: string[]) => Promise<CliResult> {
  const configDir = scratchDir('irsa-mc-');
  return async (args) => {
    const result = await run(mcBinary, ['--no-color', ...args], {
      env: { MC_HOST_rig: `http://${minio.rootUser}:${minio.rootPassword}@127.0.0.1:${minio.port}`, MC_CONFIG_DIR: configDir },
    });
    if (result.code !== 0) throw new Error(`mc ${args.join(' ')}: ${result.stderr || result.stdout}`);
    return result;
  };
}

export function writeTemp(name: string, content: string): string {
  const file = join(scratchDir('irsa-'), name);
  writeFileSync(file, content);
  return file;
}
