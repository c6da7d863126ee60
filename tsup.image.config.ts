import { defineConfig } from 'tsup';
import base from './tsup.config.js';

// The webhook image's build: the same CLI with every dependency bundled in, so that the image
// ships no node_modules (about 100 MB, most of it the Kubernetes client's) and runs from dist/.
export default defineConfig({ ...base, noExternal: [/./], sourcemap: false });
