import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  breakerAllows,
  effectiveState,
  initialBreaker,
  onAssigned,
  onFailure,
  onReleased,
  onSuccess,
  type BreakerConfig,
  type BreakerSnapshot,
} from '../../src/agents/breaker.js';

const config: BreakerConfig = { failureThreshold: 3, windowMs: 10_000, cooldownMs: 5_000, halfOpenProbes: 2 };

function failAt(snapshot: BreakerSnapshot, ...times: number[]): BreakerSnapshot {
  return times.reduce((s, t) => onFailure(s, config, t), snapshot);
}

describe('circuit breaker', () => {
  it('starts closed and allows tasks', () => {
    const b = initialBreaker();
    assert.equal(effectiveState(b, config, 0), 'closed');
    assert.equal(breakerAllows(b, config, 0), true);
  });

  it('opens after threshold failures within the window', () => {
    const table: { name: string; failures: number[]; state: 'closed' | 'open' }[] = [
      { name: 'below threshold', failures: [1000, 2000], state: 'closed' },
      { name: 'at threshold within window', failures: [1000, 2000, 10_999], state: 'open' },
      { name: 'first failure exactly windowMs old is out', failures: [1000, 2000, 11_000], state: 'closed' },
      { name: 'old failures outside the window do not count', failures: [0, 1, 20_000, 21_000], state: 'closed' },
      { name: 'three recent after old ones', failures: [0, 20_000, 21_000, 22_000], state: 'open' },
    ];
    for (const row of table) {
      const b = failAt(initialBreaker(), ...row.failures);
      assert.equal(b.state, row.state, row.name);
      assert.ok(b.failures.length <= config.failureThreshold, `${row.name}: history is bounded`);
    }
  });

  it('records openedAt and blocks during cooldown', () => {
    const b = failAt(initialBreaker(), 100, 200, 300);
    assert.equal(b.openedAt, 300);
    for (const t of [300, 1000, 5299]) {
      assert.equal(effectiveState(b, config, t), 'open');
      assert.equal(breakerAllows(b, config, t), false, `blocked at ${t}`);
      assert.equal(onAssigned(b, config, t), b, 'assignment while open changes nothing');
    }
  });

  it('failures while open do not extend the cooldown', () => {
    const b = failAt(initialBreaker(), 100, 200, 300, 2000);
    assert.equal(b.state, 'open');
    assert.equal(b.openedAt, 300);
    assert.equal(breakerAllows(b, config, 5300), true);
  });

  it('after cooldown lets exactly halfOpenProbes probes through', () => {
    let b = failAt(initialBreaker(), 100, 200, 300);
    const t = 5300;
    assert.equal(effectiveState(b, config, t), 'half_open');
    assert.equal(breakerAllows(b, config, t), true);
    b = onAssigned(b, config, t);
    assert.deepEqual([b.state, b.probesInFlight], ['half_open', 1]);
    assert.equal(breakerAllows(b, config, t + 1), true);
    b = onAssigned(b, config, t + 1);
    assert.equal(b.probesInFlight, 2);
    assert.equal(breakerAllows(b, config, t + 2), false, 'third probe refused');
    b = onReleased(b, config, t + 3);
    assert.equal(b.probesInFlight, 1, 'a cancelled probe frees its slot');
    assert.equal(breakerAllows(b, config, t + 3), true);
  });

  it('a probe success closes and resets', () => {
    let b = onAssigned(failAt(initialBreaker(), 100, 200, 300), config, 6000);
    b = onSuccess(b, config, 6500);
    assert.deepEqual(b, initialBreaker());
    assert.equal(breakerAllows(b, config, 6500), true);
  });

  it('a probe failure reopens with a new openedAt', () => {
    let b = onAssigned(failAt(initialBreaker(), 100, 200, 300), config, 6000);
    b = onFailure(b, config, 6500);
    assert.deepEqual([b.state, b.openedAt, b.probesInFlight], ['open', 6500, 0]);
    assert.equal(breakerAllows(b, config, 11_499), false);
    assert.equal(breakerAllows(b, config, 11_500), true);
  });

  it('a success while closed or open changes nothing', () => {
    const closed = failAt(initialBreaker(), 100);
    assert.equal(onSuccess(closed, config, 200), closed);
    const open = failAt(initialBreaker(), 100, 200, 300);
    assert.equal(onSuccess(open, config, 400), open);
  });

  it('never mutates its input', () => {
    const b = Object.freeze({ ...initialBreaker(), failures: Object.freeze([1, 2]) });
    assert.doesNotThrow(() => failAt(b, 3, 4, 5));
  });
});
