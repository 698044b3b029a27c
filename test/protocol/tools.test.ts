import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { DevMeshError } from '../../src/errors/index.js';
import type { ToolDefinition } from '../../src/protocol/mcp/definitions.js';
import { createTestServer, errorOf, resultOf } from './harness.js';

function tool(partial: Partial<ToolDefinition> & { name: string }): ToolDefinition {
  return {
    description: `Tool ${partial.name}`,
    role: 'reader',
    input: z.object({}),
    handler: () => Promise.resolve({ content: [{ type: 'text', text: partial.name }] }),
    ...partial,
  };
}

const createTask = tool({
  name: 'task_create',
  aliases: ['devmesh.task.create'],
  title: 'Create a task',
  role: 'agent',
  input: z.object({ title: z.string().min(1), priority: z.enum(['low', 'high']).default('low'), tags: z.array(z.string()).optional() }),
  output: z.object({ id: z.string(), title: z.string(), priority: z.string() }),
  handler: (args: { title: string; priority: string }) => Promise.resolve({ id: 'task_1', title: args.title, priority: args.priority }),
});

async function ready(tools: ToolDefinition[], role: 'reader' | 'agent' | 'admin' = 'agent') {
  const t = createTestServer();
  for (const definition of tools) t.catalogue.tools.set(definition.name, definition);
  const client = t.connect({ role });
  await client.initialize();
  return { t, client };
}

describe('tools/list', () => {
  it('pages 50 at a time with opaque cursors, covering every tool once', async () => {
    const many = Array.from({ length: 123 }, (_, i) => tool({ name: `tool_${String(i).padStart(3, '0')}` }));
    const { t, client } = await ready(many);
    const names: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const result = resultOf(await client.request('tools/list', cursor === undefined ? {} : { cursor }));
      const tools = result.tools as { name: string }[];
      sizes.push(tools.length);
      names.push(...tools.map((x) => x.name));
      cursor = result.nextCursor as string | undefined;
    } while (cursor !== undefined);
    assert.deepEqual(sizes, [50, 50, 23]);
    assert.deepEqual(names, many.map((x) => x.name));
    t.finish();
  });

  it('answers a bad cursor with -32602', async () => {
    const { t, client } = await ready([tool({ name: 'a' })]);
    for (const cursor of ['not-a-cursor', 'eyJ4IjoxfQ', '']) {
      const error = errorOf(await client.request('tools/list', { cursor }));
      assert.equal(error.code, -32602, cursor);
      assert.match(error.message, /cursor/);
    }
    t.finish();
  });

  it('describes a tool with JSON Schemas from zod, without aliases or roles', async () => {
    const { t, client } = await ready([createTask]);
    const [listed] = resultOf(await client.request('tools/list')).tools as Record<string, unknown>[];
    assert.deepEqual(listed, {
      name: 'task_create',
      title: 'Create a task',
      description: 'Tool task_create',
      inputSchema: {
        type: 'object',
        properties: {
          title: { type: 'string', minLength: 1 },
          priority: { type: 'string', enum: ['low', 'high'], default: 'low' },
          tags: { type: 'array', items: { type: 'string' } },
        },
        required: ['title'],
      },
      outputSchema: {
        type: 'object',
        properties: { id: { type: 'string' }, title: { type: 'string' }, priority: { type: 'string' } },
        required: ['id', 'title', 'priority'],
        additionalProperties: false,
      },
    });
    t.finish();
  });
});

describe('tools/call', () => {
  it('answers structured output as structuredContent plus the same JSON as text', async () => {
    const { t, client } = await ready([createTask]);
    const result = resultOf(await client.request('tools/call', { name: 'task_create', arguments: { title: 'Ship it' } }));
    const data = { id: 'task_1', title: 'Ship it', priority: 'low' };
    assert.deepEqual(result, { content: [{ type: 'text', text: JSON.stringify(data) }], structuredContent: data });
    t.finish();
  });

  it('accepts an alias', async () => {
    const { t, client } = await ready([createTask]);
    const result = resultOf(await client.request('tools/call', { name: 'devmesh.task.create', arguments: { title: 'x', priority: 'high' } }));
    assert.deepEqual(result.structuredContent, { id: 'task_1', title: 'x', priority: 'high' });
    t.finish();
  });

  it('answers an unknown tool with -32602 "Unknown tool: X"', async () => {
    const { t, client } = await ready([createTask]);
    const error = errorOf(await client.request('tools/call', { name: 'nope' }));
    assert.equal(error.code, -32602);
    assert.equal(error.message, 'Unknown tool: nope');
    t.finish();
  });

  it('turns a too-weak role into a forbidden tool result', async () => {
    const { t, client } = await ready([createTask, tool({ name: 'admin_only', role: 'admin' })], 'reader');
    for (const name of ['task_create', 'admin_only']) {
      const result = resultOf(await client.request('tools/call', { name, arguments: { title: 'x' } }));
      assert.equal(result.isError, true);
      assert.match(JSON.stringify(result.content), /forbidden/);
      assert.match(JSON.stringify(result.content), /reader/);
    }
    t.finish();
  });

  it('turns invalid arguments into a tool result naming every failing field', async () => {
    const { t, client } = await ready([createTask]);
    const result = resultOf(await client.request('tools/call', { name: 'task_create', arguments: { priority: 'urgent', tags: [1] } }));
    assert.equal(result.isError, true);
    const text = (result.content as { text: string }[])[0]?.text ?? '';
    assert.match(text, /^invalid_argument: /);
    assert.match(text, /title/);
    assert.match(text, /priority/);
    assert.match(text, /tags\.0/);
    t.finish();
  });

  it('passes a CallToolResult through and maps handler errors to tool results', async () => {
    const image = { type: 'image', data: 'iVBORw0KGgo=', mimeType: 'image/png' };
    const { t, client } = await ready([
      tool({ name: 'image', handler: () => Promise.resolve({ content: [image] }) }),
      tool({ name: 'missing', handler: () => Promise.reject(new DevMeshError('not_found', 'Task task_9 does not exist', { taskId: 'task_9' })) }),
      tool({ name: 'crash', handler: () => Promise.reject(new TypeError('secret stack detail')) }),
      tool({ name: 'bad_shape', handler: () => Promise.resolve({ nope: 1 } as never) }),
      tool({ name: 'bad_output', output: z.object({ n: z.number() }), handler: () => Promise.resolve({ n: 'x' } as never) }),
    ]);
    assert.deepEqual(resultOf(await client.request('tools/call', { name: 'image' })), { content: [image] });
    assert.deepEqual(resultOf(await client.request('tools/call', { name: 'missing' })), {
      content: [{ type: 'text', text: 'not_found: Task task_9 does not exist {"taskId":"task_9"}' }],
      isError: true,
    });
    for (const name of ['crash', 'bad_shape', 'bad_output']) {
      const result = resultOf(await client.request('tools/call', { name }));
      assert.equal(result.isError, true, name);
      assert.doesNotMatch(JSON.stringify(result), /secret/);
      assert.match(JSON.stringify(result), /^.*internal: /);
    }
    assert.ok(t.logs.some((l) => l.level === 50 && JSON.stringify(l).includes('secret stack detail')));
    t.finish();
  });

  it('handles requests concurrently: a slow tool does not block ping', async () => {
    let release = () => {};
    const { t, client } = await ready([
      tool({ name: 'slow', handler: () => new Promise((resolve) => (release = () => resolve({ content: [] }))) }),
    ]);
    const slow = client.start('tools/call', { name: 'slow' });
    assert.deepEqual(resultOf(await client.request('ping')), {});
    assert.equal(client.responseTo(slow.id), undefined);
    release();
    await slow.done;
    assert.deepEqual(resultOf(client.responseTo(slow.id)), { content: [] });
    t.finish();
  });
});
