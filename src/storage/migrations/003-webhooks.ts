/**
 * Inbound webhooks: endpoints (per tenant and source), deliveries (the dedup record and the unit of
 * processing) and event rules.
 *
 * - Endpoint ids are unique across tenants: the ingress URL names the endpoint and nothing else.
 * - webhook_deliveries_key_key is the deduplication: a replayed GitHub delivery or a re-sent alert
 *   hits it, whichever process receives it, so nothing is recorded (or done) twice.
 * - Deliveries and rules reference their endpoint by (tenant_id, endpoint_id): a delivery or rule of
 *   one tenant can never point at another tenant's endpoint. Deleting an endpoint deletes both.
 */
const sources = `'github', 'alertmanager'`;

export const webhooks: readonly string[] = [
  `CREATE TABLE webhook_endpoints (
    tenant_id text NOT NULL REFERENCES tenants (id),
    id text COLLATE "C" NOT NULL,
    source text NOT NULL CHECK (source IN (${sources})),
    name text NOT NULL,
    secret text NOT NULL,
    config jsonb NOT NULL DEFAULT '{}',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT webhook_endpoints_id_key UNIQUE (id),
    CONSTRAINT webhook_endpoints_tenant_name_key UNIQUE (tenant_id, name)
  )`,
  `CREATE INDEX webhook_endpoints_tenant_created_idx ON webhook_endpoints (tenant_id, created_at, id)`,

  `CREATE TABLE webhook_deliveries (
    tenant_id text NOT NULL,
    id text COLLATE "C" NOT NULL,
    endpoint_id text COLLATE "C" NOT NULL,
    delivery_key text COLLATE "C" NOT NULL,
    event text NOT NULL,
    payload jsonb NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'processing', 'processed', 'failed')),
    plan jsonb,
    task_ids text[] NOT NULL DEFAULT '{}',
    error text,
    attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    claimed_until timestamptz,
    received_at timestamptz NOT NULL,
    processed_at timestamptz,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT webhook_deliveries_key_key UNIQUE (tenant_id, endpoint_id, delivery_key),
    FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE
  )`,
  `CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (tenant_id, endpoint_id, received_at DESC, id DESC)`,

  `CREATE TABLE event_rules (
    tenant_id text NOT NULL REFERENCES tenants (id),
    id text COLLATE "C" NOT NULL,
    name text NOT NULL,
    source text NOT NULL CHECK (source IN (${sources})),
    event text NOT NULL,
    endpoint_id text COLLATE "C",
    filter jsonb NOT NULL DEFAULT '{}',
    task jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    CONSTRAINT event_rules_tenant_name_key UNIQUE (tenant_id, name),
    FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE
  )`,
  `CREATE INDEX event_rules_source_idx ON event_rules (tenant_id, source, created_at, id)`,
];
