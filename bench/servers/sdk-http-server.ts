/**
 * The reference: the official SDK's McpServer over its Streamable HTTP transport (stateful
 * sessions, JSON responses — its fastest mode), on node:http, serving `task_status` from a Map.
 * The task is the one DevMesh returned (env BENCH_TASK_JSON), and the tool validates input and
 * output with the same zod schemas DevMesh uses. Prints `{"ready":true,"port":N,"taskId":"…"}` when listening.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { taskViewSchema } from '../../src/tasks/task-schemas.js';

// The task DevMesh returned for the task the bench created, so both servers answer the same JSON.
const task = JSON.parse(process.env.BENCH_TASK_JSON ?? 'null') as { id: string } & Record<string, unknown>;
const checked = taskViewSchema.safeParse(task);
if (!checked.success) throw new Error(`BENCH_TASK_JSON is not a task view: ${checked.error.message}`);
const tasks = new Map<string, Record<string, unknown>>([[task.id, task]]);

const taskStatusInput = z
  .object({ task_id: z.string().min(1).max(200), include_events: z.boolean().default(false) })
  .strict();

function buildServer(): McpServer {
  const server = new McpServer({ name: 'sdk-bench', version: '1.0.0' });
  server.registerTool(
    'task_status',
    { description: 'Get a task by id', inputSchema: taskStatusInput, outputSchema: taskViewSchema, annotations: { readOnlyHint: true } },
    (args) => {
      const found = tasks.get(args.task_id);
      if (!found) return { content: [{ type: 'text', text: `No task with id "${args.task_id}"` }], isError: true };
      return { content: [{ type: 'text', text: JSON.stringify(found) }], structuredContent: found };
    },
  );
  return server;
}

const transports = new Map<string, StreamableHTTPServerTransport>();

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown) : undefined;
}

const http = createServer((request, response) => {
  void (async () => {
    const body = request.method === 'POST' ? await readJson(request) : undefined;
    const header = request.headers['mcp-session-id'];
    const sessionId = Array.isArray(header) ? header[0] : header;
    let transport = sessionId ? transports.get(sessionId) : undefined;
    if (!transport) {
      if (sessionId || !isInitializeRequest(body)) {
        response.writeHead(sessionId ? 404 : 400, { 'content-type': 'application/json' }).end('{"error":"no session"}');
        return;
      }
      const created = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        enableJsonResponse: true,
        onsessioninitialized: (id) => void transports.set(id, created),
      });
      created.onclose = () => {
        if (created.sessionId) transports.delete(created.sessionId);
      };
      await buildServer().connect(created);
      transport = created;
    }
    await transport.handleRequest(request, response, body);
  })().catch((error: unknown) => {
    process.stderr.write(`sdk-http-server: ${String(error)}\n`);
    if (!response.headersSent) response.writeHead(500).end();
  });
});
http.keepAliveTimeout = 65_000;

http.listen(0, '127.0.0.1', () => {
  const { port } = http.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ ready: true, port, taskId: task.id })}\n`);
});

process.on('SIGTERM', () => {
  http.closeAllConnections();
  http.close(() => process.exit(0));
});
