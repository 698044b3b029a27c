import { entryTime } from './redis-keys.js';
import type { DeadLetter, Job } from './work-queue-port.js';

/** The value of `name` in a stream entry's flat field list. */
function field(fields: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === name) return fields[i + 1];
  }
  return undefined;
}

function parsePayload(id: string, text: string | undefined): Job['payload'] {
  const payload: unknown = text === undefined ? undefined : JSON.parse(text);
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new Error(`job ${id} has no JSON object payload`);
  }
  return payload as Job['payload'];
}

/** A job from its stream entry; throws on an unreadable payload (the delivery then fails). */
export function toJob(queue: string, id: string, fields: readonly string[], deliveries: number): Job {
  return { id, queue, payload: parsePayload(id, field(fields, 'payload')), deliveries, enqueuedAt: entryTime(id) };
}

/** A dead letter from its entry in the dead-letter stream (written by the scripts' deadLetter). */
export function toDeadLetter(queue: string, deadId: string, fields: readonly string[]): DeadLetter {
  const id = field(fields, 'id') ?? deadId;
  let payload: Job['payload'];
  try {
    payload = parsePayload(id, field(fields, 'payload'));
  } catch {
    payload = {};
  }
  return {
    job: { id, queue, payload, deliveries: Number(field(fields, 'deliveries') ?? 0), enqueuedAt: entryTime(id) },
    reason: field(fields, 'reason') ?? '',
    deadLetteredAt: entryTime(deadId),
  };
}
