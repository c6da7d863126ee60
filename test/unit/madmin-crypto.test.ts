import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ALGORITHMS, decryptData, encryptData, type AlgorithmId } from '../../src/minio/madmin-crypto.js';

// Known answers: the four vectors from madmin's own decryption tests (copied from the team's
// shared/vectors into test/vectors/madmin-upstream.json so the suite stands alone), and
// vectors for the other two algorithms produced with madmin-go/sio-go by test/vectors/gen.
interface Vector {
  password: string;
  ciphertextHex: string;
  algorithmId: number;
  plaintextHex: string;
}

const shared = JSON.parse(readFileSync(new URL('../vectors/madmin-upstream.json', import.meta.url), 'utf8')) as Vector[];
const generated = JSON.parse(readFileSync(new URL('../vectors/madmin-generated.json', import.meta.url), 'utf8')) as Vector[];

describe('madmin body crypto', () => {
  for (const [index, vector] of shared.entries()) {
    it(`decrypts madmin's vector ${index} (id ${vector.algorithmId}, ${vector.plaintextHex.length / 2} bytes)`, async () => {
      const plaintext = await decryptData(vector.password, Buffer.from(vector.ciphertextHex, 'hex'));
      assert.equal(plaintext.toString('hex'), vector.plaintextHex);
    });
  }
  for (const [index, vector] of generated.entries()) {
    it(`decrypts generated vector ${index} (id ${vector.algorithmId}, ${vector.plaintextHex.length / 2} bytes)`, async () => {
      const plaintext = await decryptData(vector.password, Buffer.from(vector.ciphertextHex, 'hex'));
      assert.equal(plaintext.toString('hex'), vector.plaintextHex);
    });
  }
  it('the generated vectors cover ChaCha20-Poly1305, PBKDF2 and multi-fragment bodies', () => {
    const ids = new Set(generated.map((v) => v.algorithmId));
    assert.ok(ids.has(1) && ids.has(2));
    assert.ok(generated.some((v) => v.plaintextHex.length / 2 > 16 * 1024 && v.plaintextHex.length / 2 % (16 * 1024) === 0), 'an exact multiple of the fragment size');
    assert.ok(generated.some((v) => v.plaintextHex.length / 2 > 16 * 1024 && v.plaintextHex.length / 2 % (16 * 1024) !== 0));
  });
  for (const id of Object.values(ALGORITHMS) as AlgorithmId[]) {
    for (const size of [0, 1, 16 * 1024, 40_000]) {
      it(`round-trips algorithm ${id} with ${size} bytes`, async () => {
        const plaintext = Buffer.alloc(size, 7);
        const sealed = await encryptData('pass word', plaintext, id);
        assert.equal(sealed[32], id);
        assert.deepEqual(await decryptData('pass word', sealed), plaintext);
      });
    }
  }
  it('a wrong password or a flipped bit fails cleanly', async () => {
    const sealed = await encryptData('right', Buffer.from('{"a":1}'), ALGORITHMS.pbkdf2AesGcm);
    await assert.rejects(decryptData('wrong', sealed), /encrypted with another secret key/);
    sealed[sealed.length - 1] = (sealed[sealed.length - 1] ?? 0) ^ 1;
    await assert.rejects(decryptData('right', sealed), /encrypted with another secret key/);
  });
});
