import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openRawWs, type RawWsClient } from '../helpers/clients.js';
import { startTestApp, testBackends, type TestApp } from '../helpers/test-app.js';
import { createSeededRandom } from '../../src/lib/seeded-random.js';
import { startChaosAgent, type ChaosCounters } from './soak-agents.js';

const TASKS = Number(process.env.SOAK_TASKS ?? 10_000);
const AGENTS = 50;
const CAPABILITIES = ['build', 'test', 'deploy', 'review', 'scan'];
const terminal = new Set(['completed', 'failed', 'cancelled', 'timed_out', 'dead_lettered']);

for (const backend of testBackends()) {
  describe(`randomized soak: ${TASKS} tasks, ${AGENTS} flaky agents (${backend})`, { timeout: 15 * 60_000 }, () => {
    const seed = Number(process.env.SOAK_SEED ?? Date.now() % 1_000_000);
    const random = createSeededRandom(seed);
    const counters: ChaosCounters = { ignored: 0, failedRetryable: 0, failedFinal: 0, disconnects: 0, completed: 0, refused: 0 };
    let app: TestApp;
    let creator: RawWsClient;
    let stopping = false;
    const agents: { close(): Promise<void> }[] = [];

    before(async () => {
      app = await startTestApp(backend, {
        env: { DEVMESH_SWEEP_INTERVAL_MS: '25', DEVMESH_AGENT_GRACE_MS: '100' },
        orchestration: { retry: { baseDelayMs: 5, maxDelayMs: 50 }, breaker: { failureThreshold: 5, windowMs: 2000, cooldownMs: 200, halfOpenProbes: 1 } },
      });
      for (let i = 0; i < AGENTS; i++) {
        const caps = CAPABILITIES.filter(() => random() < 0.5);
        agents.push(await startChaosAgent(app.mcpUrl, app.key, `soak-${i}`, caps.length ? caps : ['build'], random, counters, () => stopping));
      }
      creator = await openRawWs(app.mcpUrl, { key: app.key });
      await creator.initialize();
    });
    after(async () => {
      stopping = true;
      for (const a of agents) await a.close().catch(() => undefined);
      await creator?.close();
      await app?.cleanup();
    });

    it(`every task ends in exactly one terminal state, never on two agents at once (seed ${seed})`, async () => {
      const started = Date.now();
      const inFlight = new Set<Promise<unknown>>();
      for (let i = 0; i < TASKS; i++) {
        const required = random() < 0.7 ? [CAPABILITIES[Math.floor(random() * CAPABILITIES.length)]!] : [];
        const call = creator.request('tools/call', {
          name: 'devmesh_task_create',
          arguments: { title: `soak ${i}`, required_capabilities: required, priority: ['low', 'normal', 'high', 'critical'][i % 4], max_attempts: 4, accept_timeout_ms: 5000, execution_timeout_ms: 10_000 },
        }, 60_000);
        inFlight.add(call);
        void call.finally(() => inFlight.delete(call));
        if (inFlight.size >= 64) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      const count = async (where: string) => Number((await app.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM tasks WHERE ${where}`)).rows[0]?.n);
      const deadline = Date.now() + 10 * 60_000;
      while ((await count(`status NOT IN ('completed','failed','cancelled','timed_out','dead_lettered')`)) > 0) {
        assert.ok(Date.now() < deadline, 'all tasks reach a terminal state in time');
        await new Promise((r) => setTimeout(r, 200));
      }
      const seconds = (Date.now() - started) / 1000;
      assert.equal(await count('true'), TASKS + 0, 'no task lost or duplicated');

      // Replay every task's history from its events.
      const { rows } = await app.sql.query<{ taskId: string; from: string | null; to: string; data: { agent_id?: string } | null }>(
        `SELECT task_id AS "taskId", from_status AS "from", to_status AS "to", data FROM task_events ORDER BY task_id, seq`,
      );
      const byTask = new Map<string, typeof rows>();
      for (const row of rows) byTask.set(row.taskId, [...(byTask.get(row.taskId) ?? []), row]);
      assert.equal(byTask.size, TASKS);
      for (const [taskId, events] of byTask) {
        const terminals = events.filter((e) => terminal.has(e.to));
        assert.equal(terminals.length, 1, `${taskId} has exactly one terminal event`);
        assert.ok(terminal.has(events.at(-1)!.to), `${taskId} ends terminal`);
        let holder: string | undefined;
        for (const event of events) {
          assert.equal(event.from === null ? null : event.from, events.indexOf(event) === 0 ? null : events[events.indexOf(event) - 1]!.to, `${taskId}: events chain`);
          if (event.to === 'assigned') {
            assert.equal(holder, undefined, `${taskId} assigned while still held by ${holder}`);
            holder = event.data?.agent_id ?? 'unknown';
          } else if (event.to !== 'in_progress') {
            holder = undefined;
          }
        }
      }
      const { rows: agentRows } = await app.sql.query<{ inFlight: number; n: number }>(`SELECT max(in_flight)::int AS "inFlight", count(*)::int AS n FROM agents`);
      assert.equal(agentRows[0]?.inFlight, 0, 'no agent holds work at the end');
      const byStatus = await app.sql.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM tasks GROUP BY status ORDER BY status`);
      console.log(
        `soak (${backend}, seed ${seed}): ${TASKS} tasks in ${seconds.toFixed(1)} s; ${byStatus.rows.map((r) => `${r.status} ${r.n}`).join(', ')}; ` +
          `agents: ${JSON.stringify(counters)}`,
      );
      assert.ok(counters.completed > TASKS / 2, 'most tasks were completed');
    });
  });
}
