/**
 * Cross-check with the official MCP SDK client over an in-memory transport: the SDK validates every
 * result with its own schemas, so this catches wire-shape mistakes our own assertions could share.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { CreateMessageRequestSchema, LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { McpSession } from '../../src/protocol/mcp/server.js';
import { assertValidMcpMessage } from '../helpers/mcp-schema.js';
import { createTestServer, testPrincipal } from './harness.js';

function inMemoryTransport(t: ReturnType<typeof createTestServer>): Transport {
  let session: McpSession | undefined;
  const transport: Transport = {
    start() {
      session = t.server.openSession({
        id: 'sdk-session',
        principal: testPrincipal(),
        transport: 'websocket',
        send: (message) => {
          if (!('method' in message)) assertValidMcpMessage(message);
          queueMicrotask(() => transport.onmessage?.(message as JSONRPCMessage));
        },
      });
      return Promise.resolve();
    },
    send(message) {
      void session?.receive(JSON.parse(JSON.stringify(message)));
      return Promise.resolve();
    },
    close() {
      session?.close('client closed');
      transport.onclose?.();
      return Promise.resolve();
    },
  };
  return transport;
}

describe('official SDK client', () => {
  it('initializes, lists, calls, reads, prompts, completes, logs and samples', async () => {
    const t = createTestServer();
    t.catalogue.tools.set('add', {
      name: 'add',
      description: 'Adds',
      role: 'reader',
      input: z.object({ a: z.number(), b: z.number() }),
      output: z.object({ sum: z.number() }),
      handler: async (args: { a: number; b: number }, ctx) => {
        await ctx.log('info', 'adding');
        return { sum: args.a + args.b };
      },
    });
    t.catalogue.tools.set('test_sampling', {
      name: 'test_sampling',
      description: 'Asks the client model',
      role: 'reader',
      input: z.object({ prompt: z.string() }),
      handler: async (args: { prompt: string }, ctx) => {
        const reply = (await ctx.requestClient('sampling/createMessage', {
          messages: [{ role: 'user', content: { type: 'text', text: args.prompt } }],
          maxTokens: 20,
        })) as { content: { text: string } };
        return { content: [{ type: 'text', text: `LLM said: ${reply.content.text}` }] };
      },
    });
    t.catalogue.resources.set('test://static-text', {
      uri: 'test://static-text', name: 'static', role: 'reader',
      read: () => Promise.resolve([{ uri: 'test://static-text', mimeType: 'text/plain', text: 'static' }]),
    });
    t.catalogue.prompts.set('p', {
      name: 'p', role: 'reader', arguments: [{ name: 'x', required: true }],
      get: (args) => Promise.resolve({ messages: [{ role: 'user', content: { type: 'text', text: args.x ?? '' } }] }),
      complete: () => Promise.resolve(['one', 'two']),
    });

    const client = new Client({ name: 'sdk-test', version: '1.0.0' }, { capabilities: { sampling: {} } });
    const logged: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void logged.push(n.params.data));
    client.setRequestHandler(CreateMessageRequestSchema, () =>
      Promise.resolve({ role: 'assistant', content: { type: 'text', text: 'pong' }, model: 'fake' }),
    );
    await client.connect(inMemoryTransport(t));
    assert.equal(client.getServerVersion()?.name, 'devmesh-test');

    const tools = await client.listTools();
    assert.deepEqual(tools.tools.map((x) => x.name).sort(), ['add', 'test_sampling']);
    const added = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    assert.deepEqual(added.structuredContent, { sum: 5 });
    assert.deepEqual(logged, ['adding']);
    const sampled = await client.callTool({ name: 'test_sampling', arguments: { prompt: 'ping' } });
    assert.deepEqual(sampled.content, [{ type: 'text', text: 'LLM said: pong' }]);
    const read = await client.readResource({ uri: 'test://static-text' });
    assert.equal((read.contents[0] as { text: string }).text, 'static');
    const prompt = await client.getPrompt({ name: 'p', arguments: { x: 'hey' } });
    assert.deepEqual(prompt.messages[0]?.content, { type: 'text', text: 'hey' });
    const completion = await client.complete({ ref: { type: 'ref/prompt', name: 'p' }, argument: { name: 'x', value: '' } });
    assert.deepEqual(completion.completion.values, ['one', 'two']);
    await client.setLoggingLevel('error');
    await client.ping();
    await client.close();
    assert.equal(t.server.sessionCount, 0);
    t.finish();
  });
});
