import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { stopChild, waitForHttp200 } from './lib/children.js';
import { median } from './lib/stats.js';
import { spawnDevMesh } from './targets/devmesh.js';

export interface ColdStartResult {
  /** True when bin/devmesh.js ran the compiled dist/, false when it fell back to tsx. */
  compiled: boolean;
  firstStartMs: number;
  runsMs: number[];
  medianMs: number;
}

async function timeToHealthy(dataDir: string): Promise<number> {
  const began = performance.now();
  const server = await spawnDevMesh(dataDir);
  try {
    await waitForHttp200(`http://127.0.0.1:${server.apiPort}/health`, server.spawned, 30_000, 10);
    return performance.now() - began;
  } finally {
    await stopChild(server.spawned.child);
  }
}

/**
 * Cold start of `devmesh serve` on an existing data dir: a first start initializes the dir
 * (migrations, tenant, admin key) and is reported apart; then `runs` starts are timed from spawn
 * until GET /health on the REST port answers 200. Each process is stopped before the next starts.
 */
export async function measureColdStart(runs: number, log: (line: string) => void): Promise<ColdStartResult> {
  const compiled = existsSync(new URL('../dist/cli/main.js', import.meta.url));
  const dataDir = await mkdtemp(path.join(tmpdir(), 'devmesh-bench-cold-'));
  try {
    const firstStartMs = await timeToHealthy(dataDir);
    log(`cold start: first start on an empty data dir ${(firstStartMs / 1000).toFixed(2)} s`);
    const runsMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      runsMs.push(await timeToHealthy(dataDir));
      log(`cold start: run ${i + 1}/${runs} ${(runsMs[i]! / 1000).toFixed(2)} s`);
    }
    return { compiled, firstStartMs, runsMs, medianMs: median(runsMs) };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}
