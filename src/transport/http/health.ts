import type { Metrics } from '../../observability/metrics.js';

/** What /health, /health/ready and /metrics need, on both ports. */
export interface HealthDeps {
  /** Throws when a dependency the process needs (the database) is unreachable. */
  ready(): Promise<Record<string, unknown>>;
  liveness(): Record<string, unknown>;
  metrics: Metrics;
}
