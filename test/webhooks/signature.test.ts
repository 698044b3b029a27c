import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { verifyBearerSecret, verifyGithubSignature } from '../../src/webhooks/signature.js';

const secret = "It's a Secret to Everybody";
const body = Buffer.from('Hello, World!');
// GitHub's documented test vector for X-Hub-Signature-256.
const documented = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

describe('verifyGithubSignature', () => {
  const sign = (b: Uint8Array, s = secret) => `sha256=${createHmac('sha256', s).update(b).digest('hex')}`;
  const cases: { name: string; header: string | undefined; body?: Uint8Array; ok: boolean }[] = [
    { name: 'GitHub’s documented example', header: documented, ok: true },
    { name: 'surrounding whitespace is ignored', header: ` ${documented} `, ok: true },
    { name: 'missing header', header: undefined, ok: false },
    { name: 'empty header', header: '', ok: false },
    { name: 'wrong length (truncated)', header: documented.slice(0, -1), ok: false },
    { name: 'wrong length (longer)', header: `${documented}00`, ok: false },
    { name: 'same length, one digit off', header: `${documented.slice(0, -1)}f`, ok: false },
    { name: 'sha1 prefix', header: documented.replace('sha256=', 'sha1=') + '0'.repeat(2), ok: false },
    { name: 'no prefix', header: documented.slice('sha256='.length), ok: false },
    { name: 'signed with another secret', header: sign(body, 'another secret'), ok: false },
    { name: 'body changed by one byte', header: documented, body: Buffer.from('Hello, World?'), ok: false },
    { name: 're-serialised JSON is not the signed bytes', header: sign(Buffer.from('{"a": 1}')), body: Buffer.from('{"a":1}'), ok: false },
    { name: 'non-ASCII header', header: `sha256=${'é'.repeat(64)}`, ok: false },
  ];
  for (const c of cases) {
    it(`${c.name} -> ${c.ok}`, () => {
      assert.equal(verifyGithubSignature(secret, c.body ?? body, c.header), c.ok);
    });
  }

  it('verifies over raw bytes that are not valid UTF-8', () => {
    const raw = Buffer.from([0xff, 0xfe, 0x00, 0x7b]);
    assert.equal(verifyGithubSignature('s3cr3t', raw, sign(raw, 's3cr3t')), true);
  });
});

describe('verifyBearerSecret', () => {
  const cases: { header: string | undefined; ok: boolean }[] = [
    { header: 'Bearer top-secret-value-123', ok: true },
    { header: 'bearer   top-secret-value-123  ', ok: true },
    { header: undefined, ok: false },
    { header: '', ok: false },
    { header: 'Bearer ', ok: false },
    { header: 'top-secret-value-123', ok: false },
    { header: 'Basic top-secret-value-123', ok: false },
    { header: 'Bearer top-secret-value-12', ok: false },
    { header: 'Bearer top-secret-value-1234', ok: false },
    { header: 'Bearer top-secret-value-123 extra', ok: false },
  ];
  for (const c of cases) {
    it(`${JSON.stringify(c.header)} -> ${c.ok}`, () => {
      assert.equal(verifyBearerSecret('top-secret-value-123', c.header), c.ok);
    });
  }
});
