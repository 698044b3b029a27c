import { randomBytes } from 'node:crypto';
import { createMemoryEventBus } from '../../src/queue/memory-event-bus.js';
import { createRedisEventBus } from '../../src/queue/redis-event-bus.js';
import { defineEventBusContract } from './event-bus.contract.js';
import { describe, it } from 'node:test';

defineEventBusContract('in-process', async () => createMemoryEventBus(), { sharedAcrossInstances: false });

const redisUrl = process.env.TEST_REDIS_URL;
if (redisUrl) {
  const prefix = `devmesh-test-${randomBytes(4).toString('hex')}`;
  defineEventBusContract('Redis Streams', () => createRedisEventBus({ url: redisUrl, prefix }), { sharedAcrossInstances: true });
} else if (process.env.CI) {
  describe('EventBus contract: Redis Streams', () => {
    it('needs TEST_REDIS_URL in CI', () => {
      throw new Error('CI requires Redis: set TEST_REDIS_URL=redis://127.0.0.1:6379');
    });
  });
} else {
  describe('EventBus contract: Redis Streams', () => {
    it('skipped: set TEST_REDIS_URL=redis://127.0.0.1:6379 to run against Redis', (t) => t.skip());
  });
}
