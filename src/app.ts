import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { redactUrl, type Config } from './config/config.js';
import { createContextService } from './contexts/context-service.js';
import { systemClock, type Clock } from './lib/clock.js';
import { createLogger, type Logger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import type { McpCatalogue } from './protocol/mcp/definitions.js';
import type { EventBus } from './queue/event-bus-port.js';
import { createMemoryEventBus } from './queue/memory-event-bus.js';
import { createRedisEventBus } from './queue/redis-event-bus.js';
import { createProcessLease } from './cluster/process-lease.js';
import { joinCluster } from './app-cluster.js';
import { openPgliteClient } from './storage/drivers/pglite-driver.js';
import { openPostgresClient } from './storage/drivers/postgres-driver.js';
import { acquireDataDirLock } from './storage/drivers/data-dir-lock.js';
import { runMigrations } from './storage/migrate.js';
import { createStores } from './storage/queries/index.js';
import { withTaskCache } from './storage/cached-task-store.js';
import { defaultBackground, startBackgroundWork, type BackgroundOptions } from './app-background.js';
import type { SqlClient } from './storage/sql-port.js';
import type { Stores } from './storage/stores.js';
import { bootstrapTenancy, readAdminKey } from './tenancy/bootstrap.js';
import { createTenancyService } from './tenancy/tenancy-service.js';
import { createMcpPortServer } from './transport/http/mcp-port.js';
import { createRestServer } from './transport/http/rest/rest-server.js';
import { version } from './version.js';
import { createMcpSide, restRoutes } from './app-endpoints.js';
import { createOrchestration, type Orchestration, type OrchestrationOptions } from './app-orchestration.js';
import { createAgentSessions } from './protocol/mcp/devmesh/agent-sessions.js';
import { createWorkflowService, type WorkflowService } from './workflows/workflow-engine.js';
import { createMemoryWorkQueue } from './queue/memory-work-queue.js';
import { createRedisWorkQueue } from './queue/redis-work-queue.js';
import { createWebhooks } from './webhooks/webhooks.js';

export type Role = 'all' | 'mcp' | 'api' | 'worker';

export interface AppOptions {
  role?: Role;
  logger?: Logger;
  clock?: Clock;
  /** Breaker, retry and aging settings (tests use short ones). */
  orchestration?: Partial<OrchestrationOptions>;
  /** Recovery sweep timings (tests use short ones). */
  background?: Partial<BackgroundOptions>;
  /** See WorkflowServiceDeps.launchStallMs. */
  workflowLaunchStallMs?: number;
}

export interface App {
  readonly config: Config;
  readonly logger: Logger;
  readonly catalogue: McpCatalogue;
  readonly stores: Stores;
  readonly sql: SqlClient;
  readonly bus: EventBus;
  readonly services: {
    tenancy: ReturnType<typeof createTenancyService>;
    tasks: Orchestration['tasks'];
    contexts: ReturnType<typeof createContextService>;
    workflows: WorkflowService;
  };
  readonly orchestration: Orchestration;
  /** The admin key created at first start, read back from `<dataDir>/admin-key` (undefined if absent). */
  readonly adminKey: string | undefined;
  readonly adminKeyPath: string;
  /** This process's id in the `processes` table (a new one if it had to rejoin). */
  readonly processId: string;
  /** Base URLs once started, e.g. http://127.0.0.1:8080 */
  readonly mcpUrl: string;
  readonly apiUrl: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Opens the configured database: PostgreSQL when DATABASE_URL is set, otherwise PGlite in the data dir. */
export async function openDatabase(config: Config): Promise<SqlClient> {
  if (config.databaseUrl) return openPostgresClient({ url: config.databaseUrl });
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const dataDir = path.join(config.dataDir, 'pgdata');
  const release = acquireDataDirLock(`${dataDir}.lock`);
  try {
    const sql = await openPgliteClient({ dataDir });
    return {
      ...sql,
      driver: sql.driver,
      query: sql.query.bind(sql),
      transaction: sql.transaction.bind(sql),
      ping: sql.ping.bind(sql),
      close: async () => {
        try {
          await sql.close();
        } finally {
          release();
        }
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/** The composition root: the only place that chooses adapters and wires services. */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const role = options.role ?? 'all';
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const startedAt = Date.now();

  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const sql = await openDatabase(config);
  const { applied } = await runMigrations(sql, (message) => logger.debug(message));
  if (applied.length) logger.info({ migrations: applied }, 'applied database migrations');

  const stores = createStores(sql);
  // The embedded database has one writer, this process: reads of tasks can be served from memory.
  if (sql.driver === 'pglite') stores.tasks = withTaskCache(stores.tasks);
  const bus = config.redisUrl
    ? await createRedisEventBus({ url: config.redisUrl, prefix: config.redisPrefix, onError: (error) => logger.warn({ err: error }, 'Redis event bus error') })
    : createMemoryEventBus();
  let onProcessDied = async (_processId: string): Promise<void> => undefined;
  let onRejoined = async (): Promise<void> => undefined;
  const lease = createProcessLease({
    processes: stores.processes,
    clock,
    logger,
    roles: [role],
    leaseMs: config.processLeaseMs,
    onProcessDied: (processId) => onProcessDied(processId),
    onRejoined: () => onRejoined(),
  });
  const tenancy = createTenancyService({ tenants: stores.tenants, apiKeys: stores.apiKeys, clock });
  const contexts = createContextService({ contexts: stores.contexts, bus, clock });
  const agentSessions = createAgentSessions();
  const orchestration = createOrchestration({
    stores,
    bus,
    clock,
    logger,
    agentSessions,
    processId: () => lease.id,
    options: { agentGraceMs: config.agentGraceMs, sweepIntervalMs: config.sweepIntervalMs, ...options.orchestration },
  });
  onProcessDied = (processId) => orchestration.processDied(processId);
  onRejoined = async () => void (await orchestration.processRejoined());
  // With Redis, several processes share the work: join them.
  const leaveCluster = config.redisUrl
    ? joinCluster({ orchestration, stores, bus, processId: lease.id, agentSessions, logger, options: { resyncQueueMs: 2000, resyncAgentsMs: 15_000 } })
    : undefined;
  const { tasks } = orchestration;
  const workflows = createWorkflowService({ workflows: stores.workflows, tasks, taskStore: stores.tasks, clock, bus, logger, launchStallMs: options.workflowLaunchStallMs });
  orchestration.onTaskChanged(workflows.onTaskChanged);
  // Webhook deliveries are recorded by the api role and processed through the work queue: on
  // Redis Streams, by the worker role (and `all`) of any process; in-process, by this process.
  const workQueue = config.redisUrl
    ? createRedisWorkQueue({ url: config.redisUrl, prefix: config.redisPrefix, consumerName: lease.id, onError: (error, context) => logger.warn({ err: error, context }, 'Redis work queue error') })
    : createMemoryWorkQueue();
  const consumesJobs = role === 'all' || role === 'worker' || !config.redisUrl;
  const webhooks = createWebhooks({
    stores,
    tasks,
    clock,
    logger,
    queue: workQueue,
    concurrency: config.workerConcurrency,
    recovery: { retentionMs: config.webhookRetentionDays * 86_400_000 },
  });
  let stopWebhookWorker: (() => Promise<void>) | undefined;
  const boot = await bootstrapTenancy(tenancy, config.dataDir);
  const adminKey = await readAdminKey(boot.adminKeyPath);

  const metrics = createMetrics({ taskCounts: () => stores.tasks.countByStatus() });
  const backends = {
    database: sql.driver === 'postgres' ? `postgres (${redactUrl(config.databaseUrl ?? '')})` : `pglite (${path.join(config.dataDir, 'pgdata')})`,
    queue: config.redisUrl ? `redis streams (${redactUrl(config.redisUrl)})` : 'in-process',
    get process() {
      return lease.id;
    },
  };
  let mcpSessions = () => 0;
  const health = {
    metrics,
    liveness: () => ({ status: 'ok', version, role, uptime_s: Math.round((Date.now() - startedAt) / 1000) }),
    ready: async () => {
      await sql.ping();
      return { status: 'ready', version, role, backends };
    },
  };
  const { catalogue, mcpServer, sessionHooks } = createMcpSide({
    orchestration,
    contexts,
    workflows,
    stores,
    agentSessions,
    bus,
    clock,
    logger,
    metrics,
    health: async () => ({ ...(await health.ready()), uptime_s: Math.round((Date.now() - startedAt) / 1000), sessions: mcpSessions() }),
  });
  mcpSessions = () => mcpServer.sessionCount;

  const endpointDeps = {
    server: mcpServer,
    authenticate: tenancy.authenticate,
    canResume: async (principal: { tenantId: string }, sessionId: string) =>
      (await stores.sessions.get(principal.tenantId, sessionId)) !== undefined,
    logger,
    metrics,
    maxFrameBytes: config.maxFrameBytes,
    listenHost: config.host,
    allowedOrigins: config.allowedOrigins,
    health,
  };
  const mcpPort = role === 'all' || role === 'mcp' ? createMcpPortServer(endpointDeps) : undefined;
  const restPort =
    role === 'all' || role === 'api'
      ? createRestServer({
          routes: restRoutes({ orchestration, contexts, tenancy, workflows, webhooks, clock }),
          webhookIngest: webhooks.ingest,
          authenticate: tenancy.authenticate,
          health,
          logger,
          version,
          maxBodyBytes: config.maxFrameBytes,
          listenHost: config.host,
          allowedOrigins: config.allowedOrigins,
        })
      : undefined;

  const urls = { mcp: '', api: '' };
  let stopBackground: (() => Promise<void>) | undefined;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    config,
    logger,
    catalogue,
    stores,
    sql,
    bus,
    services: { tenancy, tasks, contexts, workflows },
    orchestration,
    adminKey,
    adminKeyPath: boot.adminKeyPath,
    get mcpUrl() {
      return urls.mcp;
    },
    get processId() {
      return lease.id;
    },
    get apiUrl() {
      return urls.api;
    },
    async start() {
      await lease.start();
      if (role === 'all' || role === 'worker') {
        stopBackground = startBackgroundWork({ sql, workflows, logger, options: { ...defaultBackground, ...options.background } });
      }
      await orchestration.start({ sweeps: role === 'all' || role === 'worker' });
      if (consumesJobs) stopWebhookWorker = webhooks.startWorker();
      if (mcpPort) urls.mcp = `http://${hostForUrl}:${(await mcpPort.listen(config.mcpPort, config.host)).port}`;
      if (restPort) urls.api = `http://${hostForUrl}:${(await restPort.listen(config.apiPort, config.host)).port}`;
      logger.info(
        {
          role,
          version,
          ...backends,
          mcp: mcpPort ? { websocket: `${urls.mcp.replace('http', 'ws')}/ws`, http: `${urls.mcp}/mcp` } : 'off',
          api: restPort ? `${urls.api}/api/v1` : 'off',
          adminKeyFile: boot.adminKeyPath,
          adminKeyCreated: boot.created,
        },
        `DevMesh ${version} started`,
      );
    },
    async stop() {
      await stopBackground?.();
      // Webhook jobs create tasks: finish them before the orchestration stops.
      await stopWebhookWorker?.();
      leaveCluster?.();
      await orchestration.stop();
      mcpServer.close();
      await Promise.allSettled([mcpPort?.close(), restPort?.close()]);
      await workQueue.close();
      await sessionHooks.drain();
      await lease.stop();
      await bus.close();
      await sql.close();
    },
  };
}
