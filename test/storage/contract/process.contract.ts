import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newId } from '../../../src/lib/ids.js';
import type { ContractContext } from './context.js';

/**
 * Process leases. claimExpired reads every process, so these use times far in the future (2090)
 * that nothing else in the suite writes, and look only at their own ids.
 */
export function defineProcessContract(ctx: ContractContext): void {
  describe('ProcessStore', () => {
    const base = new Date('2090-01-01T00:00:00Z').getTime();
    const at = (ms: number) => new Date(base + ms);
    const info = () => ({ id: newId('prc'), roles: ['all'], host: 'h', pid: 1, startedAt: at(0) });

    it('heartbeats extend the lease; an expired lease is claimed by exactly one caller; a claimed process cannot heartbeat', async () => {
      const alive = info();
      const dying = info();
      assert.equal(await ctx.stores.processes.heartbeat(alive, at(0), 1000), true);
      assert.equal(await ctx.stores.processes.heartbeat(dying, at(0), 1000), true);
      assert.equal(await ctx.stores.processes.heartbeat(alive, at(900), 1000), true);
      const live = (ms: number) => ctx.stores.processes.live(at(ms)).then((list) => list.map((p) => p.id).filter((id) => id === alive.id || id === dying.id));
      assert.deepEqual((await live(1500)).sort(), [alive.id].sort());

      const claims = await Promise.all(Array.from({ length: 4 }, () => ctx.stores.processes.claimExpired(at(1500))));
      const claimedDying = claims.flat().filter((id) => id === dying.id || id === alive.id);
      assert.deepEqual(claimedDying, [dying.id], 'the expired one, once; not the live one');
      assert.equal(await ctx.stores.processes.heartbeat(dying, at(1600), 1000), false, 'declared dead: no coming back under this id');
      assert.deepEqual(await live(1600), [alive.id]);

      await ctx.stores.processes.stop(alive.id, at(1700));
      assert.deepEqual(await live(1700), []);
      assert.equal(await ctx.stores.processes.heartbeat(alive, at(1800), 1000), false);
      assert.deepEqual((await ctx.stores.processes.claimExpired(at(10_000))).filter((id) => id === alive.id), [], 'a stopped process is not claimed');
    });
  });
}
