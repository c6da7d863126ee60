import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { run } from '../helpers/cli.js';
import { scratchDir } from '../helpers/scratch.js';

// What a user installs: the packed tarball in an empty folder, run through npx.
describe('the npm package', () => {
  it('installs from its tarball into an empty folder and runs with npx', async () => {
    const packDir = scratchDir('irsa-pack-');
    const packed = await run('npm', ['pack', '--pack-destination', packDir], { timeoutMs: 120_000 });
    assert.equal(packed.code, 0, packed.stderr);
    const tarball = readdirSync(packDir).find((name) => name.endsWith('.tgz'));
    assert.ok(tarball, 'npm pack produced a tarball');
    const app = scratchDir('irsa-app-');
    writeFileSync(join(app, 'package.json'), '{"name":"empty","version":"1.0.0","private":true}\n');
    const installed = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', join(packDir, tarball)], { cwd: app, timeoutMs: 240_000 });
    assert.equal(installed.code, 0, installed.stderr);
    const help = await run('npx', ['--no-install', 'minio-irsa', '--help'], { cwd: app });
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /Usage: minio-irsa/);
    const rendered = await run('npx', ['--no-install', 'minio-irsa', 'render', 'authn-config'], { cwd: app });
    assert.equal(rendered.code, 0, rendered.stderr);
    assert.match(rendered.stdout, /kind: AuthenticationConfiguration/, 'templates ship in the package');
    const arn = await run('npx', ['--no-install', 'minio-irsa', 'role-arn', '--isolation', 'prefix'], { cwd: app });
    assert.equal(arn.stdout.trim(), 'arn:minio:iam:::role/oxnUw3DAuQF1uggjXGxI2AmW8IA');
  });
});

