import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// One ESM entry; every command module becomes its own chunk so that `--help` and `render`
// load only what they use. Dependencies stay external (installed from package.json).
export default defineConfig({
  entry: ['src/cli.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: true,
  clean: true,
  dts: false,
  define: { __VERSION__: JSON.stringify(version) },
});
