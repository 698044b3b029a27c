/**
 * Redis key names of one queue. Queue and group names cannot contain `:` (assertQueueName), so
 * no queue's keys can collide with another's (`a:dead` is not a queue name).
 * Scripts build the per-job error keys from `errorPrefix(group)` + the entry id, so they touch
 * keys they were not given: fine on a standalone Redis, not on Redis Cluster.
 */
export interface QueueKeys {
  /** The stream of jobs: `<prefix>:q:<queue>`. */
  stream: string;
  /** The dead-letter stream: `<prefix>:q:<queue>:dead`. */
  dead: string;
  /** Idempotency key of a job: `<prefix>:idem:<queue>:<key>`, holding the job id. */
  idempotency(key: string): string;
  /** Prefix of the last-error keys of a group's jobs: `<prefix>:q:<queue>:err:<group>:` + entry id. */
  errorPrefix(group: string): string;
}

export function queueKeys(prefix: string, queue: string): QueueKeys {
  const stream = `${prefix}:q:${queue}`;
  return {
    stream,
    dead: `${stream}:dead`,
    idempotency: (key) => `${prefix}:idem:${queue}:${key}`,
    errorPrefix: (group) => `${stream}:err:${group}:`,
  };
}

/** The time part of a stream entry id (`<ms>-<seq>`): when Redis stored the entry. */
export function entryTime(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}
