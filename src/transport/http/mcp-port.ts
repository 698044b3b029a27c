import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { McpEndpointDeps } from '../mcp-endpoint-deps.js';
import { createWsGateway } from '../ws/ws-gateway.js';
import type { HealthDeps } from './health.js';
import { sendJson, sendProblem } from './http-io.js';
import { createStreamableHttpEndpoint } from './mcp-streamable.js';
import { DevMeshError } from '../../errors/index.js';

export interface McpPortServer {
  listen(port: number, host: string): Promise<AddressInfo>;
  close(): Promise<void>;
}

/**
 * The MCP port (default 8080): WebSocket at /ws, Streamable HTTP at /mcp, health and metrics.
 * Plain node:http here: five routes do not need a framework, and the hot paths stay lean.
 */
export function createMcpPortServer(deps: McpEndpointDeps & { health: HealthDeps }): McpPortServer {
  const ws = createWsGateway(deps);
  const streamable = createStreamableHttpEndpoint(deps);
  const { metrics } = deps;

  async function route(request: IncomingMessage, response: ServerResponse): Promise<string> {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (path === '/mcp') {
      await streamable.handle(request, response);
      return '/mcp';
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      sendProblem(response, new DevMeshError('not_found', `No route ${request.method ?? ''} ${path}.`), path);
      return 'unknown';
    }
    switch (path) {
      case '/health':
        sendJson(response, 200, deps.health.liveness());
        return path;
      case '/health/ready':
        try {
          sendJson(response, 200, await deps.health.ready());
        } catch (error) {
          sendProblem(response, new DevMeshError('unavailable', `Not ready: ${(error as Error).message}`), path);
        }
        return path;
      case '/metrics': {
        const text = await metrics.render();
        response.writeHead(200, { 'content-type': metrics.contentType }).end(text);
        return path;
      }
      default:
        sendProblem(response, new DevMeshError('not_found', `No route GET ${path}. MCP is at /mcp (HTTP) and /ws (WebSocket).`), path);
        return 'unknown';
    }
  }

  const server: Server = createServer((request, response) => {
    const started = performance.now();
    route(request, response)
      .then((label) => {
        if (label !== '/mcp') metrics.observeHttp(label, request.method ?? '', response.statusCode, (performance.now() - started) / 1000);
      })
      .catch((error: unknown) => {
        deps.logger.error({ err: error }, 'unhandled error on the MCP port');
        if (!response.headersSent) sendProblem(response, error);
        else response.end();
      });
  });
  server.on('upgrade', (request, socket, head) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/ws') {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    ws.handleUpgrade(request, socket, head);
  });
  server.keepAliveTimeout = 65_000;

  return {
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve(server.address() as AddressInfo));
      }),
    async close() {
      streamable.close();
      await ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
