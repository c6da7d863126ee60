import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { renderText, yamlBlock, yamlScalar } from '../../src/render/template.js';

// The renderer writes YAML without a YAML library; a real parser must read back exactly
// what was written, whatever the value looks like.
const tricky = [
  'plain', 'true', 'False', 'yes', 'no', 'on', 'off', 'y', 'N', 'null', '~', '', ' ', '0123', '3600', '1e3', '0x1F', '.inf', '-1', '+1',
  '1:30', '2001-12-14', 'a: b', 'a #b', '#x', '- x', '? x', '@x', '`x`', '*alias', '&anchor', '!tag', '%x', '|', '>', '[x]', '{x}', 'a,b',
  'x:', 'https://minio.lan:9000', 'arn:minio:iam:::role/oxnUw3DAuQF1uggjXGxI2AmW8IA', 'system:serviceaccount:ns:sa', 'quote " and \\ backslash',
  "single ' quote", 'tab\there', 'line\nbreak', 'unicode é ✓', 'x\n  evil: true',
];

describe('text templates', () => {
  it('a value in a comment line is made printable; elsewhere it is spliced as the caller encoded it', async () => {
    const text = await renderText('minio-env/env.txt', { provider: 'k8s\nINJECTED=1', lines: 'A=1\nB=2' });
    const lines = text.split('\n');
    assert.equal(lines[0], '# MinIO OpenID provider "k8s\\nINJECTED=1" for Kubernetes service-account tokens (minio-irsa).');
    assert.ok(lines.includes('A=1') && lines.includes('B=2'));
    assert.ok(!lines.includes('INJECTED=1'));
  });
});

describe('YAML emitter', () => {
  for (const value of tricky) {
    it(`reads back ${JSON.stringify(value)}`, () => {
      assert.deepEqual(parse(`k: ${value.includes('\n') ? JSON.stringify(value) : yamlScalar(value)}`), { k: value });
      assert.deepEqual(parse(yamlBlock({ [value || 'empty']: value, list: [value, { name: value, value }] }, 0)), { [value || 'empty']: value, list: [value, { name: value, value }] });
    });
  }
  it('numbers, booleans, nesting and empty collections keep their types', () => {
    const data = { n: 3600, b: true, nested: { deep: [1, 'two', { three: [] }] }, empty: {}, text: 'multi\nline\n' };
    assert.deepEqual(parse(yamlBlock(data, 0)), data);
    assert.deepEqual(parse(`root:\n${yamlBlock(data, 2)}`), { root: data });
  });
  it('writes safe strings plain and the rest JSON-quoted', () => {
    assert.equal(yamlScalar('https://minio.lan:9000'), 'https://minio.lan:9000');
    assert.equal(yamlScalar('yes'), '"yes"');
    assert.equal(yamlScalar('3600'), '"3600"');
  });
});
