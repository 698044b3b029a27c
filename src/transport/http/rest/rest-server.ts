import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { DevMeshError, isInternal, parseOrThrow, toProblem } from '../../../errors/index.js';
import type { Logger } from '../../../observability/logger.js';
import type { Principal } from '../../../tenancy/principal.js';
import { checkOrigin, presentedApiKey } from '../../credentials.js';
import type { HealthDeps } from '../health.js';
import { buildOpenApi } from './openapi.js';
import type { RouteSpec } from './route-spec.js';
import type { WebhookIngest } from '../../../webhooks/webhook-ingest.js';
import { registerWebhookIngress } from './webhook-routes.js';

export interface RestServerDeps {
  routes: RouteSpec[];
  authenticate(presentedKey: string | undefined): Promise<Principal>;
  health: HealthDeps;
  logger: Logger;
  version: string;
  maxBodyBytes: number;
  listenHost: string;
  allowedOrigins: readonly string[];
  /** Webhook ingress under /api/webhooks (authenticated by signature or endpoint secret, not API keys). */
  webhookIngest?: WebhookIngest;
}

export interface RestServer {
  listen(port: number, host: string): Promise<AddressInfo>;
  close(): Promise<void>;
  /** For in-process tests and benchmarks. */
  fastify: FastifyInstance;
}

// Fastify's own errors (bad JSON, body too large, wrong media type) mapped onto our catalogue.
function fromFastifyError(error: { statusCode?: number; message: string; code?: string }): unknown {
  switch (error.statusCode) {
    case 400:
      return new DevMeshError('invalid_argument', `Malformed request: ${error.message}`);
    case 413:
      return new DevMeshError('payload_too_large', 'Request body is too large.');
    case 415:
      return new DevMeshError('invalid_argument', 'Unsupported Content-Type: send application/json.');
    default:
      return error;
  }
}

/** The REST API port (default 8081): /api/v1, its OpenAPI document, health and metrics. */
export function createRestServer(deps: RestServerDeps): RestServer {
  const app = Fastify({ logger: false, bodyLimit: deps.maxBodyBytes, return503OnClosing: true });
  const openApi = buildOpenApi(deps.routes, { version: deps.version });
  const principals = new WeakMap<FastifyRequest, Principal>();

  app.setErrorHandler((error, request, reply) => {
    const mapped = error instanceof DevMeshError ? error : fromFastifyError(error as { statusCode?: number; message: string });
    if (isInternal(mapped)) deps.logger.error({ err: error, url: request.url }, 'REST request failed');
    const problem = toProblem(mapped, request.url.split('?')[0]);
    void reply.status(problem.status).type('application/problem+json').send(problem);
  });
  app.setNotFoundHandler((request, reply) => {
    const problem = toProblem(new DevMeshError('not_found', `No route ${request.method} ${request.url.split('?')[0]}.`));
    void reply.status(404).type('application/problem+json').send(problem);
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unknown';
    deps.health.metrics.observeHttp(route, request.method, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/')) return;
    const origin = checkOrigin(request.headers, { listenHost: deps.listenHost, allowedOrigins: deps.allowedOrigins });
    if (!origin.ok) throw new DevMeshError('forbidden', origin.reason);
    if (request.url.startsWith('/api/v1/openapi.json') || request.url.startsWith('/api/webhooks/')) return;
    principals.set(request, await deps.authenticate(presentedApiKey(request.headers)));
  });

  app.get('/health', async () => deps.health.liveness());
  app.get('/health/ready', async () => {
    try {
      return await deps.health.ready();
    } catch (error) {
      throw new DevMeshError('unavailable', `Not ready: ${(error as Error).message}`);
    }
  });
  app.get('/metrics', async (_request, reply) => reply.type(deps.health.metrics.contentType).send(await deps.health.metrics.render()));
  app.get('/api/v1/openapi.json', async () => openApi);

  if (deps.webhookIngest) registerWebhookIngress(app, deps.webhookIngest);

  for (const spec of deps.routes) {
    app.route({
      method: spec.method,
      url: spec.path,
      handler: async (request: FastifyRequest, reply: FastifyReply) => {
        const principal = principals.get(request);
        if (!principal) throw new DevMeshError('unauthenticated', 'Missing API key.');
        const input = {
          principal,
          params: spec.params ? parseOrThrow(spec.params, request.params, 'path parameters') : {},
          query: spec.query ? parseOrThrow(spec.query, request.query ?? {}, 'query parameters') : {},
          body: spec.body ? parseOrThrow(spec.body, request.body ?? {}, 'request body') : undefined,
          headers: spec.headers ? parseOrThrow(spec.headers, request.headers, 'request headers') : {},
        };
        const result = await spec.handler(input);
        return reply.status(spec.status).send(result);
      },
    });
  }

  return {
    fastify: app,
    async listen(port, host) {
      await app.listen({ port, host });
      return app.server.address() as AddressInfo;
    },
    close: () => app.close(),
  };
}
