#!/usr/bin/env node
// Shim: refuse old Node with a clear line before any dependency can crash on it.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`minio-irsa needs Node.js >= 20.19 (this is ${process.versions.node}): upgrade Node.js\n`);
  process.exit(1);
}
// A reader that stops early (| head) is not a failure of ours.
process.stdout.on('error', (error) => process.exit(error.code === 'EPIPE' ? 0 : 1));
const { main } = await import('../dist/cli.js');
// Exit explicitly: a request abandoned at its time bound must not keep the process alive.
// But first let stdout and stderr drain: a pipe takes 64 KiB at once and Node writes the rest
// asynchronously, so exiting at once would cut a large output (inject, render) short.
const code = await main(process.argv);
const flushed = (stream) => new Promise((resolve) => stream.write('', () => resolve()));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
