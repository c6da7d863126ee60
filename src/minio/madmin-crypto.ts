import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes, type CipherGCMTypes } from 'node:crypto';
import { OperationError } from '../errors.js';

// MinIO admin-API bodies (madmin EncryptData/DecryptData): salt[32] | id[1] | nonce[8] |
// sio stream. The key comes from the caller's secret key; the stream (secure-io/sio-go)
// seals 16 KiB fragments, nonce = nonce8 | uint32le(sequence), associated data =
// flag | tag0 (flag 0x80 on the last fragment), tag0 = seal("", sequence 0).

export const ALGORITHMS = { argon2idAesGcm: 0, argon2idChaCha20Poly1305: 1, pbkdf2AesGcm: 2 } as const;
export type AlgorithmId = (typeof ALGORITHMS)[keyof typeof ALGORITHMS];

const SALT = 32;
const NONCE = 8;
const HEADER = SALT + 1 + NONCE;
const FRAGMENT = 16 * 1024;
const TAG = 16;

// Both are AEADs with a 16-byte tag; Node types only the GCM overloads, hence the cast below.
type Cipher = 'aes-256-gcm' | 'chacha20-poly1305';
const aead = (cipher: Cipher): CipherGCMTypes => cipher as CipherGCMTypes;

async function deriveKey(id: AlgorithmId, password: string, salt: Uint8Array): Promise<Buffer> {
  if (id === ALGORITHMS.pbkdf2AesGcm) return pbkdf2Sync(password, salt, 8192, 32, 'sha256');
  // Every admin call pays one derivation: WebAssembly (hash-wasm, about 0.14 s here) where it
  // can, pure JS (@noble/hashes, about 0.45 s) for the empty password hash-wasm refuses and
  // madmin allows. Both are checked against madmin's vectors.
  if (password !== '') {
    const { argon2id } = await import('hash-wasm');
    return Buffer.from(await argon2id({ password, salt, parallelism: 4, iterations: 1, memorySize: 64 * 1024, hashLength: 32, outputType: 'binary' }));
  }
  const { argon2idAsync } = await import('@noble/hashes/argon2.js');
  return Buffer.from(await argon2idAsync(new TextEncoder().encode(password), salt, { t: 1, m: 64 * 1024, p: 4, dkLen: 32 }));
}

function cipherOf(id: number): Cipher {
  if (id === ALGORITHMS.argon2idAesGcm || id === ALGORITHMS.pbkdf2AesGcm) return 'aes-256-gcm';
  if (id === ALGORITHMS.argon2idChaCha20Poly1305) return 'chacha20-poly1305';
  throw new OperationError(`MinIO sent an admin response encrypted with unknown algorithm ${id}`, 'this MinIO is newer than minio-irsa knows: please report it');
}

function nonceFor(nonce8: Uint8Array, sequence: number): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.set(nonce8, 0);
  nonce.writeUInt32LE(sequence, 8);
  return nonce;
}

function seal(cipher: Cipher, key: Buffer, nonce: Buffer, plaintext: Uint8Array, ad: Uint8Array): Buffer {
  const c = createCipheriv(aead(cipher), key, nonce, { authTagLength: TAG });
  c.setAAD(ad, { plaintextLength: plaintext.length });
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

function open(cipher: Cipher, key: Buffer, nonce: Buffer, sealed: Uint8Array, ad: Uint8Array): Buffer {
  const d = createDecipheriv(aead(cipher), key, nonce, { authTagLength: TAG });
  const body = sealed.subarray(0, sealed.length - TAG);
  d.setAuthTag(sealed.subarray(sealed.length - TAG));
  d.setAAD(ad, { plaintextLength: body.length });
  return Buffer.concat([d.update(body), d.final()]);
}

function associatedData(cipher: Cipher, key: Buffer, nonce8: Uint8Array): Buffer {
  const ad = Buffer.alloc(1 + TAG);
  seal(cipher, key, nonceFor(nonce8, 0), new Uint8Array(0), new Uint8Array(0)).copy(ad, 1);
  return ad;
}

export async function encryptData(password: string, plaintext: Uint8Array, id: AlgorithmId = ALGORITHMS.argon2idAesGcm): Promise<Buffer> {
  const salt = randomBytes(SALT);
  const nonce8 = randomBytes(NONCE);
  const cipher = cipherOf(id);
  const key = await deriveKey(id, password, salt);
  const ad = associatedData(cipher, key, nonce8);
  const parts: Buffer[] = [salt, Buffer.from([id]), nonce8];
  const count = Math.max(1, Math.ceil(plaintext.length / FRAGMENT));
  for (let i = 0; i < count; i += 1) {
    ad[0] = i === count - 1 ? 0x80 : 0x00;
    parts.push(seal(cipher, key, nonceFor(nonce8, i + 1), plaintext.subarray(i * FRAGMENT, (i + 1) * FRAGMENT), ad));
  }
  return Buffer.concat(parts);
}

export async function decryptData(password: string, data: Uint8Array): Promise<Buffer> {
  if (data.length < HEADER + TAG) throw new OperationError('MinIO sent an admin response too short to be encrypted', 'is the endpoint really MinIO?');
  const salt = data.subarray(0, SALT);
  const id = data[SALT] as AlgorithmId;
  const nonce8 = data.subarray(SALT + 1, HEADER);
  const cipher = cipherOf(id);
  const key = await deriveKey(id, password, salt);
  const ad = associatedData(cipher, key, nonce8);
  const stream = data.subarray(HEADER);
  const count = Math.max(1, Math.ceil(stream.length / (FRAGMENT + TAG)));
  const parts: Buffer[] = [];
  try {
    for (let i = 0; i < count; i += 1) {
      ad[0] = i === count - 1 ? 0x80 : 0x00;
      parts.push(open(cipher, key, nonceFor(nonce8, i + 1), stream.subarray(i * (FRAGMENT + TAG), (i + 1) * (FRAGMENT + TAG)), ad));
    }
  } catch {
    throw new OperationError('cannot decrypt the admin response: it was encrypted with another secret key', 'the admin credentials must be the ones the request was signed with');
  }
  return Buffer.concat(parts);
}
