/**
 * Opaque pagination cursors. A cursor is base64url JSON of the last row's sort key; clients must
 * treat it as opaque. `decodeCursor` returns undefined for anything malformed so callers can
 * answer with a clear "invalid cursor" error.
 */
export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    return value as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
