import { randomBytes, randomUUID } from 'node:crypto';

/** A random, URL-safe identifier with a readable type prefix, e.g. `task_3f9c…`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`;
}

/** A random secret of `bytes` bytes as base64url (no padding). */
export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
