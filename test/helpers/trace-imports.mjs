// Loaded with --import: records every package the CLI resolves into $TRACE_IMPORTS_FILE,
// so a test can prove that --help and render never load the Kubernetes or MinIO clients.
import { register } from 'node:module';

register('./trace-imports-hooks.mjs', import.meta.url, { data: { file: process.env.TRACE_IMPORTS_FILE } });
