import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { BusEvent, EventBus } from '../../src/queue/event-bus-port.js';

const waitFor = async (check: () => boolean, what: string) => {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

/**
 * The EventBus port's contract (src/queue/event-bus-port.ts). `open` returns buses that share one
 * medium, as separate processes would: an event published on one reaches subscribers of all.
 */
export function defineEventBusContract(name: string, open: () => Promise<EventBus>, options: { sharedAcrossInstances: boolean }) {
  describe(`EventBus contract: ${name}`, () => {
    const opened: EventBus[] = [];
    const bus = async () => {
      const b = await open();
      opened.push(b);
      return b;
    };
    after(async () => {
      for (const b of opened) await b.close();
    });

    it('delivers each event to every subscriber of its topic, in publish order, and not to others', async () => {
      const b = await bus();
      const a: BusEvent[] = [];
      const c: BusEvent[] = [];
      const other: BusEvent[] = [];
      b.subscribe('t.one', (e) => a.push(e));
      b.subscribe('t.one', (e) => c.push(e));
      b.subscribe('t.two', (e) => other.push(e));
      for (let i = 0; i < 20; i++) await b.publish('t.one', { i });
      await waitFor(() => a.length === 20 && c.length === 20, 'both subscribers');
      assert.deepEqual(a.map((e) => e.i), [...Array(20).keys()]);
      assert.equal(other.length, 0);
    });

    it('stops delivering after unsubscribe, and a throwing handler does not stop the others', async () => {
      const b = await bus();
      const got: BusEvent[] = [];
      const stop = b.subscribe('t.unsub', (e) => got.push(e));
      b.subscribe('t.unsub', () => {
        throw new Error('bad handler');
      });
      await b.publish('t.unsub', { n: 1 });
      await waitFor(() => got.length === 1, 'first event');
      stop();
      await b.publish('t.unsub', { n: 2 });
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(got.length, 1);
    });

    if (options.sharedAcrossInstances) {
      it('carries events between instances (processes), both ways', async () => {
        const one = await bus();
        const two = await bus();
        const onOne: BusEvent[] = [];
        const onTwo: BusEvent[] = [];
        one.subscribe('t.cross', (e) => onOne.push(e));
        two.subscribe('t.cross', (e) => onTwo.push(e));
        await one.publish('t.cross', { from: 'one' });
        await two.publish('t.cross', { from: 'two' });
        await waitFor(() => onOne.length === 2 && onTwo.length === 2, 'cross-instance events');
        assert.deepEqual(onTwo.map((e) => e.from).sort(), ['one', 'two']);
      });
    }
  });
}
