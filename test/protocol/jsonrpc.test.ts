import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { classifyMessage } from '../../src/protocol/jsonrpc/messages.js';
import { createTestServer, errorOf, resultOf } from './harness.js';

describe('classifyMessage', () => {
  const cases: { name: string; value: unknown; kind: string; id?: unknown; reason?: RegExp }[] = [
    { name: 'request', value: { jsonrpc: '2.0', id: 1, method: 'ping' }, kind: 'request' },
    { name: 'string id request', value: { jsonrpc: '2.0', id: 'a', method: 'ping', params: {} }, kind: 'request' },
    { name: 'notification', value: { jsonrpc: '2.0', method: 'notifications/initialized' }, kind: 'notification' },
    { name: 'success response', value: { jsonrpc: '2.0', id: 'srv-1', result: {} }, kind: 'response' },
    { name: 'error response', value: { jsonrpc: '2.0', id: 3, error: { code: -1, message: 'no' } }, kind: 'response' },
    { name: 'batch', value: [{ jsonrpc: '2.0', id: 1, method: 'ping' }], kind: 'invalid', id: null, reason: /batch/i },
    { name: 'not an object', value: 'ping', kind: 'invalid', id: null },
    { name: 'null', value: null, kind: 'invalid', id: null },
    { name: 'wrong jsonrpc', value: { jsonrpc: '1.0', id: 7, method: 'ping' }, kind: 'invalid', id: 7, reason: /jsonrpc/ },
    { name: 'missing jsonrpc', value: { id: 7, method: 'ping' }, kind: 'invalid', id: 7, reason: /jsonrpc/ },
    { name: 'boolean id', value: { jsonrpc: '2.0', id: true, method: 'ping' }, kind: 'invalid', id: null, reason: /id/ },
    { name: 'null id', value: { jsonrpc: '2.0', id: null, method: 'ping' }, kind: 'invalid', id: null, reason: /id/ },
    { name: 'fractional id', value: { jsonrpc: '2.0', id: 1.5, method: 'ping' }, kind: 'invalid', id: null, reason: /id/ },
    { name: 'missing method', value: { jsonrpc: '2.0', id: 4 }, kind: 'invalid', id: 4, reason: /method/ },
    { name: 'numeric method', value: { jsonrpc: '2.0', id: 4, method: 5 }, kind: 'invalid', id: 4, reason: /method/ },
    { name: 'array params', value: { jsonrpc: '2.0', id: 4, method: 'ping', params: [1] }, kind: 'invalid', id: 4, reason: /params/ },
    { name: 'result not object', value: { jsonrpc: '2.0', id: 4, result: 3 }, kind: 'invalid', id: 4 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const classified = classifyMessage(c.value);
      assert.equal(classified.kind, c.kind);
      if (classified.kind === 'invalid') {
        assert.equal(classified.id, c.id);
        if (c.reason) assert.match(classified.reason, c.reason);
      }
    });
  }
});

describe('JSON-RPC error handling of a session', () => {
  it('answers bad JSON with -32700 and id null', async () => {
    const t = createTestServer();
    const client = t.connect();
    await client.session.receiveText('{"jsonrpc":"2.0","id":1,"method":');
    assert.deepEqual(client.sent.map((s) => s.message), [
      { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error: the message is not valid JSON' } },
    ]);
    t.finish();
  });

  it('rejects a batch with -32600 saying batches were removed in 2025-06-18', async () => {
    const t = createTestServer();
    const client = t.connect();
    await client.session.receiveText(JSON.stringify([{ jsonrpc: '2.0', id: 1, method: 'ping' }]));
    assert.equal(client.sent.length, 1);
    const error = errorOf(client.sent[0]?.message);
    assert.equal(error.code, -32600);
    assert.match(error.message, /batch/i);
    assert.match(error.message, /2025-06-18/);
    assert.equal(client.sent[0]?.message.id, null);
    t.finish();
  });

  it('answers invalid envelopes with -32600, echoing the id when it is readable', async () => {
    const t = createTestServer();
    const client = t.connect();
    await client.session.receive({ jsonrpc: '1.0', id: 9, method: 'ping' });
    await client.session.receive({ jsonrpc: '2.0', id: { x: 1 }, method: 'ping' });
    await client.session.receive({ jsonrpc: '2.0', id: 10 });
    const errors = client.sent.map((s) => s.message);
    assert.deepEqual(errors.map((m) => [m.id, errorOf(m).code]), [[9, -32600], [null, -32600], [10, -32600]]);
    assert.match(errorOf(errors[2]).message, /method/);
    t.finish();
  });

  it('answers an unknown method with -32601 naming it', async () => {
    const t = createTestServer();
    const client = t.connect();
    await client.initialize();
    const error = errorOf(await client.request('tools/dance', {}));
    assert.equal(error.code, -32601);
    assert.match(error.message, /tools\/dance/);
    t.finish();
  });

  it('answers invalid params with -32602 naming the failing field', async () => {
    const t = createTestServer();
    const client = t.connect();
    await client.initialize();
    const missing = errorOf(await client.request('resources/read', {}));
    assert.equal(missing.code, -32602);
    assert.match(missing.message, /uri/);
    const wrongType = errorOf(await client.request('tools/call', { name: 42 }));
    assert.equal(wrongType.code, -32602);
    assert.match(wrongType.message, /name/);
    const badLevel = errorOf(await client.request('logging/setLevel', { level: 'loud' }));
    assert.equal(badLevel.code, -32602);
    assert.match(badLevel.message, /level/);
    const badInit = errorOf(await t.connect().request('initialize', { protocolVersion: 1 }));
    assert.equal(badInit.code, -32602);
    assert.match(badInit.message, /protocolVersion/);
    t.finish();
  });

  it('answers internal failures with -32603 without internals, and logs the real error', async () => {
    const t = createTestServer();
    t.catalogue.prompts.set('broken', {
      name: 'broken',
      role: 'reader',
      get: () => Promise.reject(new Error('database password is hunter2')),
    });
    const client = t.connect();
    await client.initialize();
    const error = errorOf(await client.request('prompts/get', { name: 'broken' }));
    assert.equal(error.code, -32603);
    assert.doesNotMatch(JSON.stringify(error), /hunter2/);
    assert.ok(t.logs.some((line) => line.level === 50 && JSON.stringify(line).includes('hunter2')));
    t.finish();
  });

  it('never answers notifications, even unknown ones', async () => {
    const t = createTestServer();
    const client = t.connect();
    await client.initialize();
    client.clear();
    await client.notify('notifications/whatever', { a: 1 });
    await client.notify('notifications/cancelled', { requestId: 999 });
    await client.notify('notifications/roots/list_changed');
    await client.notify('notifications/cancelled', { bogus: true });
    assert.deepEqual(client.sent, []);
    t.finish();
  });

  it('ignores responses with an id nobody waits for', async () => {
    const t = createTestServer();
    const client = t.connect();
    await client.initialize();
    client.clear();
    await client.session.receive({ jsonrpc: '2.0', id: 'srv-77', result: {} });
    await client.session.receive({ jsonrpc: '2.0', id: 5, error: { code: -32000, message: 'x' } });
    assert.deepEqual(client.sent, []);
    t.finish();
  });

  it('rejects a request whose id is already in flight', async () => {
    const t = createTestServer();
    let release = () => {};
    t.catalogue.tools.set('wait', {
      name: 'wait',
      description: 'waits',
      role: 'reader',
      input: z.object({}),
      handler: () => new Promise((resolve) => (release = () => resolve({ content: [] }))),
    });
    const client = t.connect();
    await client.initialize();
    const first = client.start('tools/call', { name: 'wait' }, 'dup');
    const second = errorOf(await client.request('ping', {}, 'dup'));
    assert.equal(second.code, -32600);
    release();
    await first.done;
    assert.deepEqual(resultOf(client.sent.filter((s) => s.message.id === 'dup').at(-1)?.message), { content: [] });
    t.finish();
  });
});
