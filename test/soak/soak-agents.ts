import { startAgent, type TestAgent } from '../helpers/agents.js';


export interface ChaosCounters {
  ignored: number;
  failedRetryable: number;
  failedFinal: number;
  disconnects: number;
  completed: number;
  refused: number;
}

/**
 * A flaky agent: for each task it is given it ignores it (accept timeout), fails it (retryable or
 * not), disconnects mid-task (and comes back later as the same agent), or does the work. Calls
 * that the server refuses (the task moved on meanwhile) are counted, not errors.
 */
export async function startChaosAgent(
  mcpUrl: string,
  key: string,
  id: string,
  capabilities: string[],
  random: () => number,
  counters: ChaosCounters,
  isStopping: () => boolean,
): Promise<{ close(): Promise<void> }> {
  let current: TestAgent | undefined;
  let closed = false;
  const tolerate = async (call: Promise<Record<string, any>>) => {
    const result = await call.catch(() => ({ isError: true }));
    if (result.isError) counters.refused++;
    return !result.isError;
  };
  const connect = async () => {
    current = await startAgent(mcpUrl, key, {
      id,
      capabilities,
      maxConcurrency: 1 + Math.floor(random() * 4),
      costPerTask: Math.round(random() * 10),
      behaviour: async (task, agent) => {
        const roll = random();
        if (roll < 0.04) return void counters.ignored++;
        if (roll < 0.06 && !isStopping()) {
          counters.disconnects++;
          await agent.close();
          setTimeout(() => void (closed ? undefined : connect().catch(() => undefined)), 30 + random() * 150);
          return;
        }
        if (!(await tolerate(agent.accept(task.id)))) return;
        if (roll < 0.14) {
          if (await tolerate(agent.fail(task.id, 'flaky failure', true))) counters.failedRetryable++;
          return;
        }
        if (roll < 0.15) {
          if (await tolerate(agent.fail(task.id, 'cannot be done', false))) counters.failedFinal++;
          return;
        }
        if (await tolerate(agent.complete(task.id, { by: id }))) counters.completed++;
      },
    });
  };
  await connect();
  return {
    async close() {
      closed = true;
      await current?.close();
    },
  };
}
