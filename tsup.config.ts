import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

// One ESM entry; every command module becomes its own chunk so that `--help` and `render`
// load only what they use. The small libraries every command needs are bundled: loading one
// file is much faster than resolving yaml's or commander's dozens. The heavy clients
// (Kubernetes, MinIO, prompts, spinners) stay external and are imported lazily.
export default defineConfig({
  entry: ['src/cli.ts'],
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  splitting: true,
  sourcemap: true,
  minify: true,
  clean: true,
  dts: false,
  noExternal: ['commander', 'chalk', 'yaml', 'fast-xml-parser'],
  // Bundled CommonJS code calls require() for Node built-ins.
  banner: { js: "import { createRequire as __irsaCreateRequire } from 'node:module'; const require = __irsaCreateRequire(import.meta.url);" },
  define: { __VERSION__: JSON.stringify(version) },
});
