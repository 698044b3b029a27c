import { parseArgs } from 'node:util';

export const parts = ['raw', 'devmesh', 'devmesh-http', 'sdk', 'cold', 'lifecycle', 'assignment', 'queue', 'cluster', 'failover'] as const;
export type Part = (typeof parts)[number];

const groups: Record<string, Part[]> = {
  all: [...parts],
  ws: ['raw', 'devmesh'],
  http: ['sdk', 'devmesh-http'],
  goals: ['raw', 'devmesh', 'sdk', 'cold', 'lifecycle', 'assignment'],
};

export interface BenchOptions {
  parts: Set<Part>;
  rounds: number;
  warmupMs: number;
  measureMs: number;
  maxRequests: number;
  coldRuns: number;
  build: boolean;
  /** --quick: shorter runs everywhere (the assignment benchmark makes fewer decisions). */
  quick: boolean;
  /** Lifecycle on PostgreSQL: ANALYZE the bench database once, after the first scenario. */
  pgAnalyze: boolean;
  /** Lifecycle backends to run (default both). */
  backends: ('pglite' | 'postgres')[];
  /** Write a CPU profile of the DevMesh server to this directory (node --cpu-prof). */
  profileDir: string | undefined;
}

export const usage = `Usage: npm run bench -- [options]

  --only <list>      comma list of: ${parts.join(', ')}, or groups ws (raw,devmesh), http (sdk,devmesh-http),
                     goals (raw,devmesh,sdk,cold,lifecycle,assignment), all (default)
                     lifecycle: create -> assign -> deliver -> complete with 100 agents, on PGlite and on the local
                     PostgreSQL (BENCH_PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres; a fresh
                     database is created and dropped); assignment: decision latency with 10,000 agents (in-process);
                     cluster: lifecycle throughput with 1 vs 2 "devmesh serve" processes on one fresh PostgreSQL
                     database and the local Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379); failover: time from
                     the death (SIGKILL) of one of two "devmesh serve" processes to its tasks being requeued and completed
                     on the other (same PostgreSQL + Redis, 5 s process lease; --rounds trials, each on a fresh database)
  --quick            smoke test: 1 round, 0.5 s warm-up, 1 s measured, 2 cold starts
  --rounds <n>       measured rounds per scenario, median reported (default 3)
  --warmup <s>       warm-up seconds per scenario (default 2)
  --duration <s>     measured seconds per scenario (default 5)
  --backends <list>  lifecycle backends: pglite, postgres (default both)
  --pg-no-analyze    lifecycle on PostgreSQL: do not ANALYZE the fresh database after the first scenario (by default
                     it is analyzed once, as autovacuum would; without statistics the cost per task grows with the table)
  --no-build         skip "npm run build" before the cold start
  --profile          run the DevMesh servers under node --cpu-prof; profiles go to .tmp/bench-profiles/ and the
                     top functions by self time of each profile of this run are printed at the end
`;

function positive(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number; got "${value}"`);
  return n;
}

function parseBackends(value: string | undefined): BenchOptions['backends'] {
  const names = (value ?? 'pglite,postgres').split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) if (name !== 'pglite' && name !== 'postgres') throw new Error(`--backends: unknown backend "${name}"; use pglite, postgres`);
  return names as BenchOptions['backends'];
}

export function parseOptions(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      duration: { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      backends: { type: 'string' },
      'pg-no-analyze': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const selected = new Set<Part>();
  for (const name of (values.only ?? 'all').split(',').map((s) => s.trim()).filter(Boolean)) {
    const group = groups[name] ?? (parts.includes(name as Part) ? [name as Part] : undefined);
    if (!group) throw new Error(`--only: unknown part "${name}"\n\n${usage}`);
    for (const part of group) selected.add(part);
  }
  const quick = values.quick;
  return {
    parts: selected,
    rounds: Math.round(positive(values.rounds, 'rounds', quick ? 1 : 3)),
    warmupMs: positive(values.warmup, 'warmup', quick ? 0.5 : 2) * 1000,
    measureMs: positive(values.duration, 'duration', quick ? 1 : 5) * 1000,
    maxRequests: 5_000_000,
    coldRuns: quick ? 2 : 5,
    quick,
    build: !values['no-build'],
    backends: parseBackends(values.backends),
    pgAnalyze: !values['pg-no-analyze'],
    profileDir: values.profile ? new URL('../../.tmp/bench-profiles/', import.meta.url).pathname : undefined,
  };
}
