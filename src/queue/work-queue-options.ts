import type { ConsumeOptions } from './work-queue-port.js';

/*
 * The port's defaults, name rules and payload encoding, shared by both work-queue adapters (the
 * Redis adapter imports this file too: one copy, so the adapters cannot drift apart).
 */

export type ResolvedConsumeOptions = Required<ConsumeOptions>;

export const consumeDefaults: ResolvedConsumeOptions = {
  group: 'workers',
  concurrency: 4,
  reclaimAfterMs: 30_000,
  maxDeliveries: 5,
};

const namePattern = /^[A-Za-z0-9._-]{1,200}$/;

/** Queue and group names: letters, digits, `.`, `_`, `-` (no `:`, which separates key parts in Redis). */
export function assertQueueName(kind: 'queue' | 'group', name: string): void {
  if (!namePattern.test(name)) {
    throw new TypeError(`invalid ${kind} name "${name}": use 1-200 of A-Z a-z 0-9 . _ -`);
  }
}

function positiveInteger(name: keyof ConsumeOptions, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer; got ${value}`);
  return value;
}

export function resolveConsumeOptions(options: ConsumeOptions | undefined): ResolvedConsumeOptions {
  const resolved = { ...consumeDefaults, ...stripUndefined(options ?? {}) };
  assertQueueName('group', resolved.group);
  positiveInteger('concurrency', resolved.concurrency);
  positiveInteger('reclaimAfterMs', resolved.reclaimAfterMs);
  positiveInteger('maxDeliveries', resolved.maxDeliveries);
  return resolved;
}

function stripUndefined(options: ConsumeOptions): ConsumeOptions {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

/** The stored form of a payload: JSON, as on Redis, so both adapters hand handlers the same values. */
export function encodePayload(payload: unknown): string {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new TypeError('job payload must be a JSON object');
  }
  return JSON.stringify(payload);
}

/** A handler's failure as the text recorded for the dead-letter reason. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
}
