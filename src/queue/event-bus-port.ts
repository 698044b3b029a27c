/**
 * The event bus port: fan-out of small notifications to every interested process.
 *
 * Semantics the domain relies on:
 * - `publish` delivers the event to every handler subscribed to the topic at that moment, in every
 *   process sharing the bus (the in-process adapter: this process only), in publish order per publisher.
 * - Delivery is best effort and at most once: a subscriber that is down misses events. Use it for
 *   "something changed, look again" signals, never as the only record of state.
 * - Handlers run asynchronously after `publish` resolves; a throwing handler does not affect others.
 */
export interface EventBus {
  publish(topic: string, event: BusEvent): Promise<void>;
  subscribe(topic: string, handler: (event: BusEvent) => void): () => void;
  close(): Promise<void>;
}

export type BusEvent = Record<string, unknown>;

/** Topics used across the code base, in one place so names cannot drift. */
export const topics = {
  /** `{ tenantId, uri }`: a resource's content changed. */
  resourceUpdated: 'resource.updated',
  /** `{ tenantId? }`: a tool/resource/prompt list changed (absent tenantId: every tenant). */
  catalogueChanged: 'catalogue.changed',
} as const;
