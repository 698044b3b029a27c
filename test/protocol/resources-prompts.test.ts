import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { notFound } from '../../src/errors/index.js';
import { topics } from '../../src/queue/event-bus-port.js';
import type { McpCatalogue } from '../../src/protocol/mcp/definitions.js';
import { createTestServer, errorOf, resultOf, settle } from './harness.js';

function fill(catalogue: McpCatalogue): void {
  catalogue.resources.set('test://static-text', {
    uri: 'test://static-text',
    name: 'static-text',
    title: 'Static text',
    mimeType: 'text/plain',
    role: 'reader',
    read: () => Promise.resolve([{ uri: 'test://static-text', mimeType: 'text/plain', text: 'hello' }]),
  });
  catalogue.resources.set('test://admin-only', {
    uri: 'test://admin-only', name: 'admin-only', role: 'admin', read: () => Promise.resolve([]),
  });
  catalogue.templates.set('test://template/{id}/data', {
    uriTemplate: 'test://template/{id}/data',
    name: 'template-data',
    mimeType: 'application/json',
    role: 'reader',
    read: (uri, variables, ctx) => {
      if (variables.id === 'missing') return Promise.reject(notFound('No such item'));
      return Promise.resolve([{ uri, mimeType: 'application/json', text: JSON.stringify({ id: variables.id, tenant: ctx.principal.tenantId }) }]);
    },
    list: (ctx) => Promise.resolve([{ uri: `test://template/${ctx.principal.tenantId}/data`, name: `data of ${ctx.principal.tenantId}` }]),
    complete: (variable, value) => Promise.resolve(Array.from({ length: 150 }, (_, i) => `${value}${variable}${i}`)),
  });
  catalogue.prompts.set('test_prompt_with_arguments', {
    name: 'test_prompt_with_arguments',
    description: 'A prompt with arguments',
    arguments: [{ name: 'arg1', required: true }, { name: 'arg2' }],
    role: 'reader',
    get: (args) => Promise.resolve({ messages: [{ role: 'user', content: { type: 'text', text: `${args.arg1}/${args.arg2 ?? '-'}` } }] }),
    complete: (argument, value) => Promise.resolve(['alpha', 'beta', 'alfalfa'].filter((v) => v.startsWith(value)).map((v) => `${argument}:${v}`)),
  });
}

async function ready(tenantId = 'tenant-a') {
  const t = createTestServer();
  fill(t.catalogue);
  const client = t.connect({ tenantId });
  await client.initialize();
  client.clear();
  return { t, client };
}

describe('resources', () => {
  it('lists static resources plus what templates list for the caller, and the templates', async () => {
    const { t, client } = await ready();
    assert.deepEqual(resultOf(await client.request('resources/list')).resources, [
      { uri: 'test://admin-only', name: 'admin-only' },
      { uri: 'test://static-text', name: 'static-text', title: 'Static text', mimeType: 'text/plain' },
      { uri: 'test://template/tenant-a/data', name: 'data of tenant-a', mimeType: 'application/json' },
    ]);
    assert.deepEqual(resultOf(await client.request('resources/templates/list')), {
      resourceTemplates: [{ uriTemplate: 'test://template/{id}/data', name: 'template-data', mimeType: 'application/json' }],
    });
    t.finish();
  });

  it('reads static and templated URIs, decoding variables', async () => {
    const { t, client } = await ready();
    assert.deepEqual(resultOf(await client.request('resources/read', { uri: 'test://static-text' })), {
      contents: [{ uri: 'test://static-text', mimeType: 'text/plain', text: 'hello' }],
    });
    const read = resultOf(await client.request('resources/read', { uri: 'test://template/a%20b/data' }));
    assert.deepEqual(JSON.parse((read.contents as { text: string }[])[0]?.text ?? ''), { id: 'a b', tenant: 'tenant-a' });
    t.finish();
  });

  it('answers unknown URIs with -32002 "Resource not found" and the uri in data', async () => {
    const { t, client } = await ready();
    for (const uri of ['test://nothing', 'test://template/missing/data', 'test://template/a/b/data']) {
      const error = errorOf(await client.request('resources/read', { uri }));
      assert.deepEqual(error, { code: -32002, message: 'Resource not found', data: { uri } });
    }
    assert.equal(errorOf(await client.request('resources/subscribe', { uri: 'test://nothing' })).code, -32002);
    assert.equal(errorOf(await client.request('resources/read', { uri: 'test://admin-only' })).code, -32003);
    t.finish();
  });

  it('delivers resources/updated for subscribed URIs of the own tenant or global events only', async () => {
    const { t, client } = await ready('tenant-a');
    const other = t.connect({ tenantId: 'tenant-b' });
    await other.initialize();
    other.clear();
    const uri = 'test://template/x/data';
    assert.deepEqual(resultOf(await client.request('resources/subscribe', { uri })), {});
    assert.deepEqual(resultOf(await other.request('resources/subscribe', { uri })), {});
    client.clear();
    other.clear();
    await t.bus.publish(topics.resourceUpdated, { tenantId: 'tenant-a', uri });
    await t.bus.publish(topics.resourceUpdated, { tenantId: 'tenant-a', uri: 'test://static-text' });
    await settle();
    assert.deepEqual(client.notifications().map((n) => n.message), [
      { jsonrpc: '2.0', method: 'notifications/resources/updated', params: { uri } },
    ]);
    assert.equal(client.notifications()[0]?.related, undefined);
    assert.deepEqual(other.notifications(), []);

    await t.bus.publish(topics.resourceUpdated, { uri }); // global resource: everyone subscribed
    await settle();
    assert.equal(client.notifications().length, 2);
    assert.equal(other.notifications().length, 1);

    assert.deepEqual(resultOf(await client.request('resources/unsubscribe', { uri })), {});
    await t.bus.publish(topics.resourceUpdated, { tenantId: 'tenant-a', uri });
    await settle();
    assert.equal(client.notifications().length, 2);
    t.finish();
  });

  it('sends list_changed to initialized sessions of the tenant on catalogue changes', async () => {
    const { t, client } = await ready('tenant-a');
    const other = t.connect({ tenantId: 'tenant-b' });
    await other.initialize();
    other.clear();
    const fresh = t.connect({ tenantId: 'tenant-a' });
    await t.bus.publish(topics.catalogueChanged, { tenantId: 'tenant-a' });
    await settle();
    assert.deepEqual(client.notifications().map((n) => n.message.method), [
      'notifications/tools/list_changed',
      'notifications/resources/list_changed',
      'notifications/prompts/list_changed',
    ]);
    assert.deepEqual(other.notifications(), []);
    assert.deepEqual(fresh.sent, []);
    await t.bus.publish(topics.catalogueChanged, { kinds: ['tools'] });
    await settle();
    assert.deepEqual(other.notifications().map((n) => n.message.method), ['notifications/tools/list_changed']);
    t.finish();
  });
});

describe('prompts and completion', () => {
  it('lists and gets prompts, and insists on required arguments', async () => {
    const { t, client } = await ready();
    assert.deepEqual(resultOf(await client.request('prompts/list')).prompts, [
      { name: 'test_prompt_with_arguments', description: 'A prompt with arguments', arguments: [{ name: 'arg1', required: true }, { name: 'arg2' }] },
    ]);
    assert.deepEqual(resultOf(await client.request('prompts/get', { name: 'test_prompt_with_arguments', arguments: { arg1: 'a', arg2: 'b' } })), {
      messages: [{ role: 'user', content: { type: 'text', text: 'a/b' } }],
    });
    const missing = errorOf(await client.request('prompts/get', { name: 'test_prompt_with_arguments', arguments: { arg2: 'b' } }));
    assert.equal(missing.code, -32602);
    assert.match(missing.message, /arg1/);
    assert.equal(errorOf(await client.request('prompts/get', { name: 'nope' })).code, -32602);
    t.finish();
  });

  it('completes prompt arguments and template variables, at most 100 values', async () => {
    const { t, client } = await ready();
    assert.deepEqual(resultOf(await client.request('completion/complete', {
      ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' },
      argument: { name: 'arg1', value: 'al' },
    })), { completion: { values: ['arg1:alpha', 'arg1:alfalfa'], total: 2, hasMore: false } });
    const many = resultOf(await client.request('completion/complete', {
      ref: { type: 'ref/resource', uri: 'test://template/{id}/data' },
      argument: { name: 'id', value: 'x' },
    })).completion as { values: string[]; total: number; hasMore: boolean };
    assert.equal(many.values.length, 100);
    assert.equal(many.values[0], 'xid0');
    assert.equal(many.total, 150);
    assert.equal(many.hasMore, true);
    const unknown = errorOf(await client.request('completion/complete', { ref: { type: 'ref/prompt', name: 'zzz' }, argument: { name: 'a', value: '' } }));
    assert.equal(unknown.code, -32602);
    const badRef = errorOf(await client.request('completion/complete', { ref: { type: 'ref/tool', name: 'x' }, argument: { name: 'a', value: '' } }));
    assert.equal(badRef.code, -32602);
    assert.match(badRef.message, /ref/);
    t.finish();
  });
});
