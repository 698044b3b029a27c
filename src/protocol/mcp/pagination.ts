import { decodeCursor, encodeCursor } from '../../lib/cursor.js';
import { invalidArgument } from '../../errors/index.js';

export const DEFAULT_PAGE_SIZE = 50;

/**
 * Keyset pagination over an in-memory list: items are ordered by `keyOf`, the cursor holds the last
 * key returned. Items added or removed between pages neither repeat nor shift the rest.
 * A cursor that is not one of ours -> invalid_argument (-32602).
 */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  cursor: string | undefined,
  pageSize = DEFAULT_PAGE_SIZE,
): { page: T[]; nextCursor?: string } {
  const sorted = [...items].sort((a, b) => compare(keyOf(a), keyOf(b)));
  let start = 0;
  if (cursor !== undefined) {
    const after = decodeCursor(cursor)?.after;
    if (typeof after !== 'string') {
      const message = 'not a cursor this server issued; omit it to start from the first page';
      throw invalidArgument(`Invalid params: cursor: ${message}`, { fields: [{ path: 'cursor', message }] });
    }
    start = sorted.findIndex((item) => compare(keyOf(item), after) > 0);
    if (start === -1) start = sorted.length;
  }
  const page = sorted.slice(start, start + pageSize);
  const last = page.at(-1);
  if (last === undefined || start + pageSize >= sorted.length) return { page };
  return { page, nextCursor: encodeCursor({ after: keyOf(last) }) };
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
