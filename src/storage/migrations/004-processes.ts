/**
 * Server processes and their leases: each process heartbeats its row; a process whose lease ran
 * out is dead, and the agents it held (agents.process_id) are taken offline by whoever notices.
 */
export const processes: readonly string[] = [
  `CREATE TABLE processes (
    id text COLLATE "C" PRIMARY KEY,
    roles text[] NOT NULL,
    host text NOT NULL,
    pid integer NOT NULL,
    started_at timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL,
    lease_expires_at timestamptz NOT NULL,
    stopped_at timestamptz
  )`,
  `CREATE INDEX processes_live_lease_idx ON processes (lease_expires_at) WHERE stopped_at IS NULL`,
  `ALTER TABLE agents ADD COLUMN process_id text`,
  `CREATE INDEX agents_process_idx ON agents (process_id) WHERE status = 'online'`,
];
