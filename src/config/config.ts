import path from 'node:path';
import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const optionalUrl = (protocols: string[]) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || protocols.some((p) => v.startsWith(p)), {
      message: `must start with ${protocols.join(' or ')}`,
    });

/**
 * Every setting DevMesh reads, with its embedded default. This module is the only reader of
 * process.env; everything else receives a typed `Config`.
 */
export const configSchema = z.object({
  DEVMESH_HOST: z.string().trim().min(1).default('127.0.0.1'),
  DEVMESH_MCP_PORT: port.default(8080),
  DEVMESH_API_PORT: port.default(8081),
  DEVMESH_DATA_DIR: z.string().trim().min(1).default('./.devmesh'),
  DATABASE_URL: optionalUrl(['postgres://', 'postgresql://']),
  REDIS_URL: optionalUrl(['redis://', 'rediss://']),
  DEVMESH_REDIS_PREFIX: z.string().trim().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - only').default('devmesh'),
  DEVMESH_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEVMESH_MAX_FRAME_BYTES: z.coerce.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024),
  DEVMESH_AGENT_GRACE_MS: z.coerce.number().int().min(0).max(86_400_000).default(30_000),
  DEVMESH_PROCESS_LEASE_MS: z.coerce.number().int().min(300).max(600_000).default(15_000),
  DEVMESH_SWEEP_INTERVAL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  DEVMESH_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(4),
  DEVMESH_WEBHOOK_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  DEVMESH_ALLOWED_ORIGINS: z
    .string()
    .optional()
    .transform((v) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : [])),
});

export interface Config {
  host: string;
  mcpPort: number;
  apiPort: number;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** Prefix of every Redis key, so deployments (or test runs) can share one Redis. */
  redisPrefix: string;
  logLevel: z.infer<typeof configSchema>['DEVMESH_LOG_LEVEL'];
  maxFrameBytes: number;
  /** Origins allowed on browser requests besides localhost ones, for DNS-rebinding protection. */
  allowedOrigins: string[];
  /** How long a disconnected agent keeps its tasks before they are requeued. */
  agentGraceMs: number;
  /** How often timeouts, retries and presence are checked. */
  sweepIntervalMs: number;
  /** A process that has not heartbeated for this long is dead: its agents' work is requeued. */
  processLeaseMs: number;
  /** Background jobs (webhook deliveries, …) a worker process runs at once. */
  workerConcurrency: number;
  /** Processed and failed webhook deliveries are deleted this many days after they finished. */
  webhookRetentionDays: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Validates the environment, listing every problem at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = issue.path.map(String).join('.');
        return `${key}=${JSON.stringify(env[key] ?? '')}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  return {
    host: e.DEVMESH_HOST,
    mcpPort: e.DEVMESH_MCP_PORT,
    apiPort: e.DEVMESH_API_PORT,
    dataDir: path.resolve(e.DEVMESH_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.DEVMESH_REDIS_PREFIX,
    logLevel: e.DEVMESH_LOG_LEVEL,
    maxFrameBytes: e.DEVMESH_MAX_FRAME_BYTES,
    allowedOrigins: e.DEVMESH_ALLOWED_ORIGINS,
    agentGraceMs: e.DEVMESH_AGENT_GRACE_MS,
    sweepIntervalMs: e.DEVMESH_SWEEP_INTERVAL_MS,
    processLeaseMs: e.DEVMESH_PROCESS_LEASE_MS,
    workerConcurrency: e.DEVMESH_WORKER_CONCURRENCY,
    webhookRetentionDays: e.DEVMESH_WEBHOOK_RETENTION_DAYS,
    ...overrides,
  };
}

/** A URL with any password replaced, safe for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable url)';
  }
}
