import { Redis } from 'ioredis';
import type { BusEvent, EventBus } from './event-bus-port.js';

export interface RedisEventBusOptions {
  url: string;
  /** Key prefix, so several deployments (or test runs) can share one Redis. */
  prefix?: string;
  /** Events kept in the stream for late readers; older ones are trimmed. */
  maxLength?: number;
  onError?(error: unknown): void;
}

/**
 * The event bus on one Redis Stream: every process appends with XADD and reads everything with
 * XREAD (no consumer group: each process must see every event, like a broadcast). Reading starts
 * at the stream's end when the process starts, so a process only sees events from while it is up —
 * the port's best-effort, at-most-once contract. A dedicated connection does the blocking reads.
 */
export async function createRedisEventBus(options: RedisEventBusOptions): Promise<EventBus> {
  const stream = `${options.prefix ?? 'devmesh'}:events`;
  const maxLength = options.maxLength ?? 10_000;
  const onError = options.onError ?? (() => undefined);
  const writer = new Redis(options.url, { maxRetriesPerRequest: 3, lazyConnect: true });
  const reader = new Redis(options.url, { maxRetriesPerRequest: null, lazyConnect: true });
  writer.on('error', onError);
  reader.on('error', onError);
  await Promise.all([writer.connect(), reader.connect()]);

  const handlers = new Map<string, Set<(event: BusEvent) => void>>();
  let closed = false;
  // Start after the newest existing entry: history is not replayed.
  const newest = (await writer.xrevrange(stream, '+', '-', 'COUNT', 1))[0];
  let lastId = newest?.[0] ?? '0-0';

  function dispatch(fields: string[]): void {
    const topic = fields[1];
    const body = fields[3];
    if (!topic || body === undefined) return;
    const set = handlers.get(topic);
    if (!set?.size) return;
    let event: BusEvent;
    try {
      event = JSON.parse(body) as BusEvent;
    } catch (error) {
      onError(error);
      return;
    }
    for (const handler of [...set]) {
      try {
        handler(event);
      } catch (error) {
        onError(error);
      }
    }
  }

  const loop = (async () => {
    while (!closed) {
      try {
        const result = await reader.xread('COUNT', 500, 'BLOCK', 1000, 'STREAMS', stream, lastId);
        for (const [, entries] of result ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            dispatch(fields);
          }
        }
      } catch (error) {
        if (closed) break;
        onError(error);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  })();

  return {
    async publish(topic, event) {
      if (closed) throw new Error('event bus is closed');
      await writer.xadd(stream, 'MAXLEN', '~', String(maxLength), '*', 'topic', topic, 'event', JSON.stringify(event));
    },
    subscribe(topic, handler) {
      let set = handlers.get(topic);
      if (!set) handlers.set(topic, (set = new Set()));
      set.add(handler);
      return () => {
        set.delete(handler);
      };
    },
    async close() {
      closed = true;
      reader.disconnect();
      await loop;
      await writer.quit().catch(() => undefined);
      handlers.clear();
    },
  };
}
