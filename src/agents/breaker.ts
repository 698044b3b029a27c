/**
 * Per-agent circuit breaker as pure functions over plain, serialisable data (it can be stored in a
 * row and shared between processes). Every function returns a new snapshot; none reads the clock.
 *
 *   closed    --(failureThreshold failures within windowMs)-->   open
 *   open      --(cooldownMs elapsed: effectively half-open)-->   half_open on the first probe assigned
 *   half_open --(probe succeeds)-->                                closed (history reset)
 *   half_open --(probe fails or times out)-->                      open (cooldown restarts)
 *
 * "Open past its cooldown" is half-open without a write: `effectiveState` reports it, `breakerAllows`
 * lets probes through, and `onAssigned` materialises the transition when the first probe is assigned.
 */

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerConfig {
  /** Failures (including timeouts) within `windowMs` that open a closed breaker. */
  failureThreshold: number;
  /** Length of the rolling failure window. A failure exactly `windowMs` old no longer counts. */
  windowMs: number;
  /** How long an open breaker refuses all tasks before letting probes through. */
  cooldownMs: number;
  /** How many tasks may be in flight at once while half-open. */
  halfOpenProbes: number;
}

export const defaultBreakerConfig: BreakerConfig = {
  failureThreshold: 5,
  windowMs: 60_000,
  cooldownMs: 30_000,
  halfOpenProbes: 1,
};

export interface BreakerSnapshot {
  state: BreakerState;
  /**
   * Timestamps (ms) of recent failures, oldest first, inside the window as of the last update.
   * At most `failureThreshold` are kept: older ones can no longer change a decision.
   */
  failures: readonly number[];
  /** When the breaker last opened; null unless open or half-open. */
  openedAt: number | null;
  /** Probe tasks assigned while half-open and not yet finished. */
  probesInFlight: number;
}

/**
 * One shared, frozen closed breaker: most agents have never failed, and sharing it keeps the breaker
 * check of a decision over thousands of agents on one hot cache line. Snapshots are never mutated.
 */
const closedBreaker: BreakerSnapshot = Object.freeze({
  state: 'closed',
  failures: Object.freeze<number[]>([]),
  openedAt: null,
  probesInFlight: 0,
});

export function initialBreaker(): BreakerSnapshot {
  return closedBreaker;
}

function cooledDown(snapshot: BreakerSnapshot, config: BreakerConfig, now: number): boolean {
  return snapshot.openedAt !== null && now - snapshot.openedAt >= config.cooldownMs;
}

/** The state as of `now`: an open breaker whose cooldown has passed is half-open. */
export function effectiveState(snapshot: BreakerSnapshot, config: BreakerConfig, now: number): BreakerState {
  if (snapshot.state === 'open' && cooledDown(snapshot, config, now)) return 'half_open';
  return snapshot.state;
}

/** Whether a new task may be assigned to the agent at `now`. */
export function breakerAllows(snapshot: BreakerSnapshot, config: BreakerConfig, now: number): boolean {
  switch (effectiveState(snapshot, config, now)) {
    case 'closed':
      return true;
    case 'open':
      return false;
    case 'half_open':
      // A stored 'open' past cooldown has no probes in flight yet.
      return (snapshot.state === 'half_open' ? snapshot.probesInFlight : 0) < config.halfOpenProbes;
  }
}

/** Record that a task was assigned: while (effectively) half-open it counts as a probe. */
export function onAssigned(snapshot: BreakerSnapshot, config: BreakerConfig, now: number): BreakerSnapshot {
  if (effectiveState(snapshot, config, now) !== 'half_open') return snapshot;
  const probes = snapshot.state === 'half_open' ? snapshot.probesInFlight : 0;
  return { ...snapshot, state: 'half_open', probesInFlight: probes + 1 };
}

/**
 * Record a success. A half-open breaker closes and forgets its failures. A success while closed does
 * not erase failures (the window does), and a success while open comes from a task assigned before
 * the breaker opened, which proves nothing about the agent now.
 */
export function onSuccess(snapshot: BreakerSnapshot, _config: BreakerConfig, _now: number): BreakerSnapshot {
  if (snapshot.state !== 'half_open') return snapshot;
  return initialBreaker();
}

/** Failures and timeouts alike. Opens a closed breaker at the threshold; re-opens a half-open one. */
export function onFailure(snapshot: BreakerSnapshot, config: BreakerConfig, now: number): BreakerSnapshot {
  const failures = recentFailures(snapshot.failures, config, now);
  const state = effectiveState(snapshot, config, now);
  if (state === 'half_open') {
    return { state: 'open', failures, openedAt: now, probesInFlight: 0 };
  }
  if (state === 'closed' && failures.length >= config.failureThreshold) {
    return { state: 'open', failures, openedAt: now, probesInFlight: 0 };
  }
  return { ...snapshot, failures };
}

/** A task counted as a probe ended without an outcome (cancelled, reassigned): free its probe slot. */
export function onReleased(snapshot: BreakerSnapshot, _config: BreakerConfig, _now: number): BreakerSnapshot {
  if (snapshot.state !== 'half_open' || snapshot.probesInFlight === 0) return snapshot;
  return { ...snapshot, probesInFlight: snapshot.probesInFlight - 1 };
}

/** The failures still inside the window at `now`, plus one at `now`, capped at the threshold. */
function recentFailures(previous: readonly number[], config: BreakerConfig, now: number): number[] {
  const kept = previous.filter((t) => now - t < config.windowMs);
  kept.push(now);
  const cap = Math.max(1, config.failureThreshold);
  return kept.length > cap ? kept.slice(kept.length - cap) : kept;
}
