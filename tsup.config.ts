import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { defineConfig, type Options } from 'tsup';

const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

// commander requires node:child_process at load (~19 ms of a ~95 ms bare Node start here) but
// uses it only to spawn stand-alone executable subcommands, which minio-irsa has none of.
// Defer it to first use. Fails the build if commander's source changes under us.
const lazyChildProcess: Plugin = {
  name: 'commander-lazy-child-process',
  setup(build) {
    build.onLoad({ filter: /commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const eager = "const childProcess = require('node:child_process');";
      const source = await readFile(args.path, 'utf8');
      if (!source.includes(eager)) throw new Error(`${args.path} no longer has "${eager}": update the lazy child_process patch in tsup.config.ts`);
      return { contents: source.replace(eager, "const childProcess = { spawn: (...spawnArgs) => require('node:child_process').spawn(...spawnArgs) };"), loader: 'js' };
    });
  },
};

// One ESM entry; every command module becomes its own chunk so that `--help` and `render`
// load only what they use. The small libraries every command needs are bundled: loading one
// file is much faster than resolving yaml's or commander's dozens (js-yaml: inject, a Helm
// post-renderer, starts as fast as render). The heavy clients (Kubernetes, MinIO, prompts,
// spinners) stay external and are imported lazily.
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
  noExternal: ['commander', 'chalk', 'yaml', 'fast-xml-parser', 'js-yaml'],
  esbuildPlugins: [lazyChildProcess],
  // Bundled CommonJS code calls require() for Node built-ins.
  banner: { js: "import { createRequire as __irsaCreateRequire } from 'node:module'; const require = __irsaCreateRequire(import.meta.url);" },
  define: { __VERSION__: JSON.stringify(version) },
});
