/**
 * Tenants, API keys, tasks and their events, MCP sessions and session context.
 * Every tenant-owned table carries tenant_id and references tenants(id).
 * Timestamps the application sets (created_at of tasks, sessions, …) come from the injected clock
 * as parameters, never now(): keyset cursors built from JS Dates (millisecond precision) must
 * compare equal to the stored values.
 */
const statuses = `'pending','queued','assigned','in_progress','completed','failed','cancelled','timed_out','dead_lettered'`;

export const foundation: readonly string[] = [
  `CREATE EXTENSION IF NOT EXISTS vector`,

  `CREATE TABLE tenants (
    id text PRIMARY KEY,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenants_name_key UNIQUE (name)
  )`,

  `CREATE TABLE api_keys (
    id text PRIMARY KEY,
    tenant_id text NOT NULL REFERENCES tenants (id),
    name text NOT NULL,
    role text NOT NULL CHECK (role IN ('admin', 'agent', 'reader')),
    key_hash text NOT NULL,
    prefix text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    revoked_at timestamptz,
    last_used_at timestamptz,
    CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash)
  )`,
  `CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id, created_at, id)`,

  // id is COLLATE "C" so keyset order is byte order on every server, whatever its default collation.
  // priority_rank: 0 = critical … 3 = low, so a queue reads ORDER BY priority_rank, created_at ascending.
  `CREATE TABLE tasks (
    tenant_id text NOT NULL REFERENCES tenants (id),
    id text COLLATE "C" NOT NULL,
    title text NOT NULL,
    description text NOT NULL,
    type text NOT NULL,
    priority text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'critical')),
    priority_rank smallint GENERATED ALWAYS AS (
      CASE priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END
    ) STORED,
    status text NOT NULL CHECK (status IN (${statuses})),
    required_capabilities text[] NOT NULL DEFAULT '{}',
    payload jsonb NOT NULL DEFAULT 'null',
    result jsonb,
    error jsonb,
    session_id text,
    created_by text,
    assigned_agent_id text,
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts integer NOT NULL CHECK (max_attempts >= 1),
    version integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id)
  )`,
  `CREATE INDEX tasks_tenant_created_idx ON tasks (tenant_id, created_at DESC, id DESC)`,
  `CREATE INDEX tasks_tenant_status_idx ON tasks (tenant_id, status)`,

  `CREATE TABLE task_events (
    tenant_id text NOT NULL REFERENCES tenants (id),
    task_id text COLLATE "C" NOT NULL,
    seq bigint GENERATED ALWAYS AS IDENTITY,
    from_status text CHECK (from_status IN (${statuses})),
    to_status text NOT NULL CHECK (to_status IN (${statuses})),
    actor text NOT NULL,
    reason text,
    data jsonb,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, task_id, seq),
    FOREIGN KEY (tenant_id, task_id) REFERENCES tasks (tenant_id, id)
  )`,

  `CREATE TABLE sessions (
    tenant_id text NOT NULL REFERENCES tenants (id),
    id text NOT NULL,
    api_key_id text,
    transport text NOT NULL CHECK (transport IN ('websocket', 'http')),
    protocol_version text,
    client_info jsonb,
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    closed_at timestamptz,
    PRIMARY KEY (tenant_id, id)
  )`,

  // key is COLLATE "C": "ordered by key" means the same byte order on PGlite and PostgreSQL.
  `CREATE TABLE context_items (
    tenant_id text NOT NULL REFERENCES tenants (id),
    session_id text NOT NULL,
    key text COLLATE "C" NOT NULL,
    value jsonb NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, session_id, key)
  )`,
];
