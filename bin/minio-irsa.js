#!/usr/bin/env node
// Shim: refuse old Node with a clear line before any dependency can crash on it.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  process.stderr.write(`minio-irsa needs Node.js >= 20.19 (this is ${process.versions.node}): upgrade Node.js\n`);
  process.exit(1);
}
const { main } = await import('../dist/cli.js');
// Exit explicitly: a request abandoned at its time bound must not keep the process alive.
// (stdout to a pipe, file or terminal is written synchronously on Linux, so nothing is lost.)
process.exit(await main(process.argv));
