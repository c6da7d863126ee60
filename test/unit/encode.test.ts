import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { composeEscaped, dockerEnvValue, literalBlockSafe, printable, shellQuoted, systemdQuoted, Unrepresentable, yamlQuoted } from '../../src/encode.js';
import { renderMinioEnv } from '../../src/render/minio-env.js';
import { yamlBlock, yamlScalar } from '../../src/render/template.js';
import { scratchDir } from '../helpers/scratch.js';

// Every encoder against hostile values. The shell encoder is judged by a real /bin/sh: a
// value that runs a command would create the canary file.

const dir = scratchDir('irsa-encode-');
const canary = join(dir, 'pwned');
const HOSTILE = [
  `$(touch ${canary})`,
  `\`touch ${canary}\``,
  `x; touch ${canary}`,
  `x | touch ${canary}`,
  `x && touch ${canary}`,
  `'; touch ${canary}; echo '`,
  `"; touch ${canary}; echo "`,
  `\${HOME}`,
  'back\\slash',
  'multi\nline',
  'tab\there',
  'x # not a comment',
  '-n',
  '',
];

function sourceWithSh(text: string): Record<string, string> {
  const file = join(dir, 'env');
  writeFileSync(file, text);
  const result = spawnSync('/bin/sh', ['-c', 'set -a; . "$1"; exec env -0', 'sh', file], { env: {}, encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return Object.fromEntries(result.stdout.split('\0').filter((entry) => entry.startsWith('V')).map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

describe('shell encoder (env files that are sourced)', () => {
  it('every hostile value comes back verbatim and runs nothing', () => {
    const text = HOSTILE.map((value, i) => `V${i}=${shellQuoted(value)}`).join('\n');
    const env = sourceWithSh(text);
    HOSTILE.forEach((value, i) => assert.equal(env[`V${i}`], value, JSON.stringify(value)));
    assert.equal(existsSync(canary), false, 'a value ran a command');
  });
  it('refuses a NUL byte', () => assert.throws(() => shellQuoted('a\0b'), Unrepresentable));
  it('the env format of minio-env, fed hostile values past the validators, is still inert', async () => {
    const text = await renderMinioEnv('env', { configUrl: `https://x/$(touch ${canary})`, clientId: `a;touch ${canary}`, rolePolicy: ['p`touch x`'], displayName: "k'8s", provider: '_', isolation: 'prefix' }, `s$(touch ${canary})`, { name: 'n', namespace: 'ns' });
    const file = join(dir, 'minio.env');
    writeFileSync(file, text);
    const result = spawnSync('/bin/sh', ['-c', 'set -a; . "$1"; exec env', 'sh', file], { env: {}, encoding: 'utf8' });
    assert.equal(result.status, 0);
    assert.match(result.stdout, new RegExp(`MINIO_IDENTITY_OPENID_CLIENT_ID=a;touch ${canary.replace(/[/.]/g, '\\$&')}`));
    assert.equal(existsSync(canary), false);
  });
});

describe('systemd EnvironmentFile encoder', () => {
  it('escapes the four characters systemd unescapes in double quotes', () => {
    assert.equal(systemdQuoted('a"b\\c`d$e'), '"a\\"b\\\\c\\`d\\$e"');
    assert.equal(systemdQuoted("plain 'x' %i"), `"plain 'x' %i"`);
  });
  it('refuses line breaks and controls (no second assignment can be smuggled in)', () => {
    for (const value of ['a\nEVIL=1', 'a\rb', 'a\u0085b', 'a\u2028b', '\x1b[31m']) assert.throws(() => systemdQuoted(value), Unrepresentable, JSON.stringify(value));
  });
});

describe('docker --env-file encoder (no quoting at all)', () => {
  it('writes a value verbatim, refuses what it cannot carry', () => {
    assert.equal(dockerEnvValue('https://x:6443/a'), 'https://x:6443/a');
    for (const value of ['a\nEVIL=1', ' leading', 'a\0b', 'a\u2029b']) assert.throws(() => dockerEnvValue(value), Unrepresentable, JSON.stringify(value));
  });
  it('render --output docker refuses a value it cannot represent', async () => {
    await assert.rejects(renderMinioEnv('docker', { configUrl: 'https://x\nEVIL=1', clientId: 'c', rolePolicy: ['p'], displayName: 'k', provider: '_', isolation: 'prefix' }, 'secret', { name: 'n', namespace: 'ns' }), Unrepresentable);
  });
});

describe('compose encoder', () => {
  it('doubles every $ so compose interpolates nothing', () => {
    assert.equal(composeEscaped('a$b${c}$$'), 'a$$b$${c}$$$$');
  });
  it('the compose format carries a $ through YAML as $$', async () => {
    const text = await renderMinioEnv('compose', { configUrl: 'https://x/$y', clientId: 'c', rolePolicy: ['p'], displayName: 'k', provider: '_', isolation: 'prefix' }, 'secret', { name: 'n', namespace: 'ns' });
    const doc = parse(text) as { services: { minio: { environment: Record<string, string> } } };
    assert.equal(doc.services.minio.environment['MINIO_IDENTITY_OPENID_CONFIG_URL'], 'https://x/$$y');
  });
});

describe('YAML encoder', () => {
  const breaks = ['\u0085', '\u2028', '\u2029'];
  it('escapes the line breaks YAML 1.1 parsers see and JSON does not escape', () => {
    for (const brk of breaks) {
      const quoted = yamlQuoted(`a${brk}evil: true`);
      assert.ok(!quoted.includes(brk), `raw ${JSON.stringify(brk)} left in ${quoted}`);
      assert.deepEqual(parse(`k: ${quoted}`), { k: `a${brk}evil: true` });
    }
  });
  it('escapes C1 controls, DEL and the BOM', () => {
    assert.equal(yamlQuoted('\u007f\u0080\u009f\ufeff'), '"\\u007f\\u0080\\u009f\\ufeff"');
  });
  it('yamlScalar and yamlBlock never write a raw Unicode line break', () => {
    for (const brk of breaks) {
      const value = `x${brk}y: 1`;
      assert.ok(!yamlScalar(value).includes(brk));
      const block = yamlBlock({ key: value, list: [value], multi: `line one\nline${brk}two: 2\n` }, 0);
      assert.ok(!block.includes(brk), block);
      assert.deepEqual(parse(block), { key: value, list: [value], multi: `line one\nline${brk}two: 2\n` });
    }
  });
  it('a literal block is used only for text it can hold verbatim', () => {
    assert.equal(literalBlockSafe('a: 1\nb: 2\n'), true);
    for (const unsafe of [' leading space\n', 'trailing \n', 'tab\u0009x\n', 'x\u2028y\n', 'x\n\n', 'bell\u0007\n']) assert.equal(literalBlockSafe(unsafe), false, JSON.stringify(unsafe));
  });
  it('YAML 1.1 booleans and null words are quoted (kubectl reads YAML 1.1)', () => {
    for (const word of ['on', 'off', 'no', 'yes', 'y', 'n', 'Y', 'N', 'true', 'False', 'null', 'NULL', 'On', 'OFF']) {
      assert.equal(yamlScalar(word), `"${word}"`, word);
      assert.deepEqual(parseAllDocuments(`k: ${yamlScalar(word)}`, { version: '1.1' })[0]?.toJS(), { k: word }, word);
    }
  });
});

describe('printable (values echoed to a terminal)', () => {
  it('makes escape sequences, newlines and Unicode breaks visible', () => {
    assert.equal(printable('\x1b[31mred\nline\r\u2028\u0085\t'), '\\x1b[31mred\\nline\\r\\u2028\\x85\\t');
    assert.equal(printable('plain ✓ é'), 'plain ✓ é');
  });
});
