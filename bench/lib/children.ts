/**
 * Server child processes: spawned by the bench, stopped by pid, never left behind.
 * Every wait is bounded by a timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface, type Interface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';

const started = new Set<ChildProcess>();

process.on('exit', () => {
  for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

export interface Spawned {
  child: ChildProcess;
  /** The last lines the child wrote to stderr, for error messages. */
  stderrTail(): string;
}

/** Extra node flags for DevMesh children, e.g. --cpu-prof (set by `--profile`). */
export const devmeshNodeFlags: string[] = [];

export function spawnChild(args: string[], env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(process.execPath, args, {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  child.once('exit', () => started.delete(child));
  const tail: string[] = [];
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    tail.push(chunk);
    if (tail.length > 20) tail.shift();
  });
  return { child, stderrTail: () => tail.join('').slice(-2000) };
}

/**
 * Spawns a bench script under tsx and waits for its `{"ready":true,…}` stdout line. `lines` goes on
 * reading the child's stdout for callers that talk to it after that line.
 */
export async function startScriptServer<T extends object>(
  script: string,
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 20_000,
): Promise<{ spawned: Spawned; info: T; lines: Interface }> {
  const spawned = spawnChild(['--import', 'tsx', script], env);
  const lines = createInterface({ input: spawned.child.stdout! });
  let onLine: ((line: string) => void) | undefined;
  const info = await new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} not ready after ${timeoutMs} ms\n${spawned.stderrTail()}`)), timeoutMs);
    spawned.child.once('exit', (code) => reject(new Error(`${script} exited with ${code}\n${spawned.stderrTail()}`)));
    onLine = (line) => {
      try {
        const parsed = JSON.parse(line) as T & { ready?: boolean };
        if (parsed.ready) {
          clearTimeout(timer);
          resolve(parsed);
        }
      } catch {
        // not the ready line
      }
    };
    lines.on('line', onLine);
  }).finally(() => onLine && lines.off('line', onLine));
  return { spawned, info, lines };
}

/** SIGTERM, then SIGKILL if the child has not exited within `graceMs`. Resolves once it has exited. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = address && typeof address === 'object' ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers 200, every `everyMs`; rejects after `timeoutMs` or if `child` exits. */
export async function waitForHttp200(url: string, spawned: Spawned, timeoutMs: number, everyMs = 10): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (spawned.child.exitCode !== null) throw new Error(`server exited with ${spawned.child.exitCode} before ${url} answered\n${spawned.stderrTail()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(everyMs);
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms\n${spawned.stderrTail()}`);
}
