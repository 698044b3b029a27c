import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import type { HandlerContext, ToolDefinition } from '../../src/protocol/mcp/definitions.js';
import { createTestServer, resultOf, settle, type TestClient } from './harness.js';

function tool(name: string, handler: (ctx: HandlerContext) => Promise<unknown>): ToolDefinition {
  return {
    name,
    description: name,
    role: 'reader',
    input: z.object({}),
    handler: async (_args, ctx) => {
      const value = await handler(ctx);
      return { content: [{ type: 'text', text: JSON.stringify(value ?? null) }] };
    },
  };
}

async function ready(tools: ToolDefinition[], options: { capabilities?: Record<string, unknown>; timeoutMs?: number } = {}) {
  const t = createTestServer(options.timeoutMs === undefined ? {} : { clientRequestTimeoutMs: options.timeoutMs });
  for (const definition of tools) t.catalogue.tools.set(definition.name, definition);
  const client = t.connect();
  await client.initialize('2025-06-18', options.capabilities ?? {});
  client.clear();
  return { t, client };
}

function textOf(result: Record<string, unknown>): string {
  return (result.content as { text: string }[])[0]?.text ?? '';
}

describe('progress', () => {
  const progressTool = tool('work', async (ctx) => {
    await ctx.progress(1, 3, 'one');
    await ctx.progress(1, 3, 'again'); // not increasing: dropped
    await ctx.progress(2);
    await ctx.progress(3, 3, 'done');
  });

  it('sends increasing notifications/progress for the token, tied to the request', async () => {
    const { t, client } = await ready([progressTool]);
    const response = await client.request('tools/call', { name: 'work', _meta: { progressToken: 'tok-1' } }, 42);
    resultOf(response);
    const progress = client.notifications('notifications/progress');
    assert.deepEqual(progress.map((p) => p.message.params), [
      { progressToken: 'tok-1', progress: 1, total: 3, message: 'one' },
      { progressToken: 'tok-1', progress: 2 },
      { progressToken: 'tok-1', progress: 3, total: 3, message: 'done' },
    ]);
    assert.ok(progress.every((p) => p.related === 42));
    assert.equal(client.sent.at(-1)?.message.id, 42, 'the response comes after its progress');
    t.finish();
  });

  it('sends nothing without a progress token', async () => {
    const { t, client } = await ready([progressTool]);
    await client.request('tools/call', { name: 'work' });
    assert.deepEqual(client.notifications(), []);
    t.finish();
  });
});

describe('logging', () => {
  const chatty = tool('chatty', async (ctx) => {
    for (const level of ['debug', 'info', 'warning', 'error'] as const) await ctx.log(level, { level }, 'test');
  });
  const levelsSent = (client: TestClient) =>
    client.notifications('notifications/message').map((n) => (n.message.params as { level: string }).level);

  it('defaults to info, and follows logging/setLevel per session', async () => {
    const { t, client } = await ready([chatty]);
    const other = t.connect();
    await other.initialize();
    await client.request('tools/call', { name: 'chatty' }, 'a');
    assert.deepEqual(levelsSent(client), ['info', 'warning', 'error']);
    assert.deepEqual(client.notifications('notifications/message')[0]?.message.params, { level: 'info', data: { level: 'info' }, logger: 'test' });
    assert.equal(client.notifications('notifications/message')[0]?.related, 'a');

    client.clear();
    assert.deepEqual(resultOf(await client.request('logging/setLevel', { level: 'debug' })), {});
    await client.request('tools/call', { name: 'chatty' });
    assert.deepEqual(levelsSent(client), ['debug', 'info', 'warning', 'error']);

    client.clear();
    await client.request('logging/setLevel', { level: 'error' });
    await client.request('tools/call', { name: 'chatty' });
    assert.deepEqual(levelsSent(client), ['error']);

    other.clear();
    await other.request('tools/call', { name: 'chatty' });
    assert.deepEqual(levelsSent(other), ['info', 'warning', 'error']);
    t.finish();
  });
});

describe('cancellation', () => {
  it('aborts the handler signal and sends no response', async () => {
    let seen: AbortSignal | undefined;
    let finish = () => {};
    const { t, client } = await ready([
      tool('slow', (ctx) => {
        seen = ctx.signal;
        return new Promise((resolve) => (finish = () => resolve('late')));
      }),
    ]);
    const call = client.start('tools/call', { name: 'slow', _meta: { progressToken: 1 } }, 7);
    await settle();
    assert.equal(seen?.aborted, false);
    await client.notify('notifications/cancelled', { requestId: 7, reason: 'user hit stop' });
    await call.done; // receive() resolves once the request is cancelled
    assert.equal(seen?.aborted, true);
    finish();
    await settle();
    assert.equal(client.responseTo(7), undefined);
    assert.deepEqual(client.sent, []);
    // The id is free again once cancelled.
    assert.deepEqual(resultOf(await client.request('ping', undefined, 7)), {});
    t.finish();
  });
});

describe('server -> client requests', () => {
  const sampler = tool('ask', async (ctx) =>
    ctx.requestClient('sampling/createMessage', {
      messages: [{ role: 'user', content: { type: 'text', text: 'hi' } }],
      maxTokens: 10,
    }),
  );

  async function pendingRequest(client: TestClient) {
    await settle();
    const out = client.sent.find((s) => s.message.method === 'sampling/createMessage');
    assert.ok(out, 'server sent sampling/createMessage');
    return out;
  }

  it('round-trips: request tied to the call, the client response resolves it', async () => {
    const { t, client } = await ready([sampler], { capabilities: { sampling: {} } });
    const call = client.start('tools/call', { name: 'ask' }, 'call-1');
    const out = await pendingRequest(client);
    assert.equal(out.related, 'call-1');
    assert.match(String(out.message.id), /^srv-\d+$/);
    const reply = { role: 'assistant', content: { type: 'text', text: 'hello' }, model: 'm' };
    await client.session.receive({ jsonrpc: '2.0', id: out.message.id, result: reply });
    await call.done;
    assert.deepEqual(JSON.parse(textOf(resultOf(client.responseTo('call-1')))), reply);
    t.finish();
  });

  it('fails clearly when the client did not declare the capability', async () => {
    const { t, client } = await ready([sampler]);
    const result = resultOf(await client.request('tools/call', { name: 'ask' }));
    assert.equal(result.isError, true);
    assert.match(textOf(result), /sampling/);
    assert.equal(client.sent.filter((s) => s.message.method === 'sampling/createMessage').length, 0);
    t.finish();
  });

  it('rejects on an error response and on timeout', async () => {
    const { t, client } = await ready([sampler], { capabilities: { sampling: {} }, timeoutMs: 30 });
    const call = client.start('tools/call', { name: 'ask' });
    const out = await pendingRequest(client);
    await client.session.receive({ jsonrpc: '2.0', id: out.message.id, error: { code: -1, message: 'User rejected' } });
    await call.done;
    const rejected = resultOf(client.responseTo(call.id));
    assert.equal(rejected.isError, true);
    assert.match(textOf(rejected), /User rejected/);

    client.clear();
    const timed = resultOf(await client.request('tools/call', { name: 'ask' }));
    assert.equal(timed.isError, true);
    assert.match(textOf(timed), /did not answer/);
    assert.ok(client.notifications('notifications/cancelled').length === 1, 'the client is told the server gave up');
    t.finish();
  });

  it('close aborts handlers, rejects pending client requests and sends nothing more', async () => {
    let rejection: unknown;
    let signal: AbortSignal | undefined;
    const { t, client } = await ready([
      tool('ask', async (ctx) => {
        signal = ctx.signal;
        try {
          return await ctx.requestClient('elicitation/create', { message: 'name?', requestedSchema: { type: 'object', properties: {} } });
        } catch (error) {
          rejection = error;
          throw error;
        }
      }),
    ], { capabilities: { elicitation: {} } });
    const call = client.start('tools/call', { name: 'ask' });
    await settle();
    const sentBefore = client.sent.length;
    client.session.close('test over');
    await call.done;
    await settle();
    assert.equal(signal?.aborted, true);
    assert.ok(rejection instanceof Error);
    assert.equal(client.sent.length, sentBefore);
    t.finish();
  });
});
