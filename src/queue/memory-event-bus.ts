import type { BusEvent, EventBus } from './event-bus-port.js';

/** In-process event bus: the embedded default, one process only. */
export function createMemoryEventBus(): EventBus {
  const handlers = new Map<string, Set<(event: BusEvent) => void>>();
  let closed = false;
  return {
    publish(topic, event) {
      if (closed) return Promise.reject(new Error('event bus is closed'));
      const set = handlers.get(topic);
      if (set) {
        for (const handler of [...set]) {
          // Deliver after the publisher's current work, as a networked bus would.
          queueMicrotask(() => {
            try {
              handler(event);
            } catch {
              // A failing subscriber must not break delivery to the others.
            }
          });
        }
      }
      return Promise.resolve();
    },
    subscribe(topic, handler) {
      let set = handlers.get(topic);
      if (!set) {
        set = new Set();
        handlers.set(topic, set);
      }
      set.add(handler);
      return () => {
        set.delete(handler);
      };
    },
    close() {
      closed = true;
      handlers.clear();
      return Promise.resolve();
    },
  };
}
