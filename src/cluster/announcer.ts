import { topics, type EventBus } from '../queue/event-bus-port.js';

/**
 * Publishes "resource changed" signals, at most one per URI per window: the first change goes out
 * at once, later ones within the window are folded into one trailing signal. Subscribers re-read
 * the resource anyway, so nothing is lost; a busy tenant just does not flood every process.
 */
export function createAnnouncer(bus: EventBus, windowMs = 50, onError: (error: unknown) => void = () => undefined) {
  const quiet = new Map<string, { tenantId: string; pending: boolean }>();
  const publish = (tenantId: string, uri: string) => {
    bus.publish(topics.resourceUpdated, { tenantId, uri }).catch(onError);
  };
  return (tenantId: string, uri: string): void => {
    const key = `${tenantId}\u0000${uri}`;
    const window = quiet.get(key);
    if (window) {
      window.pending = true;
      return;
    }
    publish(tenantId, uri);
    const entry = { tenantId, pending: false };
    quiet.set(key, entry);
    setTimeout(() => {
      quiet.delete(key);
      if (entry.pending) publish(tenantId, uri);
    }, windowMs).unref();
  };
}
