import { randomSecret } from '../lib/ids.js';
import { sha256Hex } from '../lib/hashing.js';

/**
 * API keys look like `dmk_<43 base64url chars>` (256 random bits). Only the SHA-256 of the key is
 * stored: keys are high-entropy, so a fast hash is safe and keeps authentication cheap.
 */
const KEY_PREFIX = 'dmk_';
const KEY_PATTERN = /^dmk_[A-Za-z0-9_-]{43}$/;

export function generateApiKey(): { key: string; hash: string; prefix: string } {
  const key = `${KEY_PREFIX}${randomSecret(32)}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, 12) };
}

export function hashApiKey(key: string): string {
  return sha256Hex(key);
}

export function looksLikeApiKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}
