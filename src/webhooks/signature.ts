import { createHmac } from 'node:crypto';
import { constantTimeEqual, sha256Hex } from '../lib/hashing.js';

/**
 * GitHub signs the exact request body: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`.
 * The comparison takes the same time wherever the strings differ; a header of the wrong length (or
 * none) is simply false. Verify over the raw bytes, never over re-serialised JSON.
 */
export function verifyGithubSignature(secret: string, body: Uint8Array, header: string | undefined): boolean {
  if (!header) return false;
  const expected = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  return constantTimeEqual(expected, header.trim().toLowerCase());
}

/**
 * Alertmanager cannot sign: it sends the endpoint's secret as `Authorization: Bearer <secret>`
 * (`http_config.authorization.credentials`). Both sides are hashed first so the comparison has a
 * fixed length and reveals nothing about the secret's length.
 */
export function verifyBearerSecret(secret: string, authorization: string | undefined): boolean {
  const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  const presented = match?.[1];
  if (!presented) return false;
  return constantTimeEqual(sha256Hex(secret), sha256Hex(presented));
}
