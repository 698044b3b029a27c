import { Redis, type RedisOptions } from 'ioredis';

/**
 * Opens a connection with bounded failure behaviour: it reconnects forever (a worker should come
 * back when Redis does) at most every 2 s, and a command waits through about 3 s of reconnecting
 * (5 attempts) before it fails to its caller, instead of queueing without bound.
 */
export function openRedisConnection(
  url: string,
  name: string,
  onError: (error: unknown) => void,
  overrides: Partial<RedisOptions> = {},
): Redis {
  const connection = new Redis(url, {
    connectionName: name,
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times - 1, 5), 2000),
    maxRetriesPerRequest: 5,
    ...overrides,
  });
  // Without a listener ioredis prints every connection error itself.
  connection.on('error', onError);
  return connection;
}

/** QUIT (waits for replies already asked for), or a hard disconnect if not connected or QUIT takes too long. */
export async function closeRedisConnection(connection: Redis, timeoutMs = 2000): Promise<void> {
  if (connection.status === 'end') return;
  // Not connected (reconnecting after a failure): nothing to wait for, and QUIT would queue.
  if (connection.status !== 'ready') {
    connection.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const result = await Promise.race([connection.quit(), timedOut]);
    if (result === 'timeout') connection.disconnect();
  } catch {
    connection.disconnect();
  } finally {
    clearTimeout(timer);
  }
}

/** Whether a Redis error reply starts with the given code (`BUSYGROUP`, `NOGROUP`, …). */
export function isRedisError(error: unknown, code: string): boolean {
  return error instanceof Error && error.message.startsWith(code);
}
