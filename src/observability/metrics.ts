import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsDeps {
  /** Task counts by tenant and status, read when Prometheus scrapes. */
  taskCounts(): Promise<{ tenantId: string; status: string; count: number }[]>;
}

export type Metrics = ReturnType<typeof createMetrics>;

const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One registry per app instance, so several apps in one test process do not collide. */
export function createMetrics(deps: MetricsDeps) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'devmesh_process_' });

  const connections = new Gauge({
    name: 'devmesh_mcp_connections',
    help: 'Open MCP connections (WebSocket) and sessions (Streamable HTTP)',
    labelNames: ['transport'] as const,
    registers: [registry],
  });
  const rpcRequests = new Counter({
    name: 'devmesh_mcp_requests_total',
    help: 'MCP JSON-RPC requests handled, by method and outcome',
    labelNames: ['method', 'outcome'] as const,
    registers: [registry],
  });
  const rpcLatency = new Histogram({
    name: 'devmesh_mcp_request_duration_seconds',
    help: 'MCP JSON-RPC request handling time',
    labelNames: ['method'] as const,
    buckets: latencyBuckets,
    registers: [registry],
  });
  const httpRequests = new Counter({
    name: 'devmesh_http_requests_total',
    help: 'HTTP requests, by route, method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const httpLatency = new Histogram({
    name: 'devmesh_http_request_duration_seconds',
    help: 'HTTP request handling time',
    labelNames: ['route', 'method'] as const,
    buckets: latencyBuckets,
    registers: [registry],
  });
  new Gauge({
    name: 'devmesh_tasks',
    help: 'Tasks by tenant and status',
    labelNames: ['tenant', 'status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await deps.taskCounts()) this.set({ tenant: row.tenantId, status: row.status }, row.count);
    },
  });

  const rpcChildren = new Map<string, { ok: { inc(): void }; error: { inc(): void }; latency: { observe(v: number): void } }>();
  // Method names come from clients; only known ones become label values, so label cardinality stays bounded.
  const knownMethod = (method: string) => (/^[a-z]+(\/[a-zA-Z_]+)*$/.test(method) && method.length < 40 ? method : 'other');

  return {
    registry,
    connectionOpened: (transport: 'websocket' | 'http') => connections.inc({ transport }),
    connectionClosed: (transport: 'websocket' | 'http') => connections.dec({ transport }),
    observeRpc(method: string, outcome: 'ok' | 'error', seconds: number) {
      // Label lookups hash the label object on every call; the hot path reuses bound children.
      let children = rpcChildren.get(method);
      if (!children) {
        const label = knownMethod(method);
        children = {
          ok: rpcRequests.labels({ method: label, outcome: 'ok' }),
          error: rpcRequests.labels({ method: label, outcome: 'error' }),
          latency: rpcLatency.labels({ method: label }),
        };
        if (rpcChildren.size < 100) rpcChildren.set(method, children);
      }
      children[outcome].inc();
      children.latency.observe(seconds);
    },
    observeHttp(route: string, method: string, status: number, seconds: number) {
      httpRequests.inc({ route, method, status: String(status) });
      httpLatency.observe({ route, method }, seconds);
    },
    render: () => registry.metrics(),
    contentType: registry.contentType,
  };
}
