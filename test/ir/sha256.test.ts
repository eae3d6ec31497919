// SHA-256 without node:crypto (src/ir/sha256.ts, what graph hashes use in a page): the FIPS 180-4
// examples, and node:crypto's digest at every padding boundary and for a large buffer.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex, sha256Portable } from '../../src/ir/sha256.ts';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('sha256Portable', () => {
  it.each([
    ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  ])('the FIPS 180-4 example %j', (text, digest) => {
    expect(sha256Portable(utf8(text))).toBe(digest);
  });

  it.each([1, 55, 56, 63, 64, 65, 119, 120, 128, 1_000_003])('equals node:crypto on %i bytes', (n) => {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 255);
    expect(sha256Portable(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('sha256Hex hashes its parts one after the other, strings as UTF-8', () => {
    const parts = ['graph é', new Uint8Array([1, 2, 3])];
    expect(sha256Hex(parts)).toBe(createHash('sha256').update('graph é').update(new Uint8Array([1, 2, 3])).digest('hex'));
    expect(sha256Portable(new Uint8Array([...utf8('graph é'), 1, 2, 3]))).toBe(sha256Hex(parts));
  });
});
