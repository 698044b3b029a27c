import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startAgent, type TestAgent } from '../helpers/agents.js';
import { startTestApp, testBackends, type TestApp } from '../helpers/test-app.js';

/**
 * A process declared dead while it is alive (its event loop blocked for longer than the lease, say)
 * has had its agents taken offline and their work requeued by a survivor. On its next heartbeat it
 * finds out, rejoins under a new id and re-registers the agents still connected to it, so they get
 * work again instead of being stranded online-but-unknown.
 */
for (const backend of testBackends()) {
  describe(`a process declared dead while alive (${backend})`, () => {
    let app: TestApp;
    let agent: TestAgent | undefined;

    before(async () => {
      app = await startTestApp(backend, { env: { DEVMESH_PROCESS_LEASE_MS: '600' } });
    });
    after(async () => {
      await agent?.close();
      await app?.cleanup();
    });

    it('rejoins under a new id, re-registers its agents, and they get their requeued work back', async () => {
      agent = await startAgent(app.mcpUrl, app.key, { id: `rejoin-${backend}`, capabilities: ['rejoin'] });
      const agentRow = async () =>
        (await app.sql.query<{ status: string; process_id: string | null }>(`SELECT status, process_id FROM agents WHERE id = $1`, [agent!.id])).rows[0];
      const firstId = app.processId;
      await eventually(async () => (await agentRow())?.process_id === firstId, 5000, 'agent online on this process');
      const task = await app.services.tasks.create({ tenantId: (await app.services.tenancy.authenticate(app.key)).tenantId, tenantName: '', apiKeyId: 'test', role: 'agent' }, {
        title: 'hold me', description: '', type: 'general', priority: 'normal', required_capabilities: ['rejoin'], max_attempts: 5, accept_timeout_ms: 60_000,
      });
      await agent.waitForTasks(1);

      // What a survivor does when it finds this process's lease expired.
      await app.sql.query(`UPDATE processes SET stopped_at = now() WHERE id = $1`, [firstId]);
      await app.orchestration.processDied(firstId);
      const requeued = await app.stores.tasks.get(task.tenantId, task.id);
      assert.equal(requeued?.status, 'queued', 'the survivor requeued the task');

      const secondId = await eventually(() => app.processId !== firstId && app.processId, 5000, 'a new process id');
      await eventually(async () => {
        const row = await agentRow();
        return row?.status === 'online' && row.process_id === secondId;
      }, 5000, 'the agent online again, held by the new id');
      const live = await app.stores.processes.live(new Date());
      assert.deepEqual(live.filter((p) => p.id === firstId || p.id === secondId).map((p) => p.id), [secondId]);
      // The requeued task goes back to the agent, still connected to this process.
      const [, again] = await agent.waitForTasks(2);
      assert.equal(again?.id, task.id);
      assert.equal(again?.attempts, 2);
    });
  });
}
