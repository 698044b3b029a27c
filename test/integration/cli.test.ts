import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { restClient } from '../helpers/clients.js';
import { createTestPostgresDatabase, pgliteTemplateDir } from '../helpers/databases.js';
import { testBackends } from '../helpers/test-app.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = path.join(root, 'bin', 'devmesh.js');
type Env = Record<string, string>;

/** The parent's environment without any DevMesh setting, so only what a test passes applies. */
function baseEnv(extra: Env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(DEVMESH_|DATABASE_URL|TEST_DATABASE_URL|REDIS_URL)/.test(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

function run(args: string[], env: Env = {}, timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: root, env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`devmesh ${args.join(' ')} did not exit in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Served {
  child: ChildProcess;
  apiUrl: string;
  mcpUrl: string;
  output(): { stdout: string; stderr: string };
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** `devmesh serve` on two free ports, resolved once /health answers on both. */
async function serve(env: Env): Promise<Served> {
  const [mcpPort, apiPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [bin, 'serve'], {
    cwd: root,
    env: baseEnv({ DEVMESH_LOG_LEVEL: 'info', ...env, DEVMESH_MCP_PORT: String(mcpPort), DEVMESH_API_PORT: String(apiPort) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const out = { stdout: '', stderr: '' };
  child.stdout?.on('data', (d: Buffer) => (out.stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => (running.delete(child), resolve(code))));
  const served: Served = {
    child,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    mcpUrl: `http://127.0.0.1:${mcpPort}`,
    output: () => out,
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
  const deadline = Date.now() + 60_000;
  for (const base of [served.apiUrl, served.mcpUrl]) {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}\n${out.stdout}\n${out.stderr}`);
      if (Date.now() > deadline) throw new Error(`serve did not become healthy\n${out.stdout}\n${out.stderr}`);
      const ok = await fetch(`${base}/health`).then((r) => r.ok, () => false);
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return served;
}

/** A data dir holding a copy of the migrated PGlite template (a fresh initdb takes many seconds). */
async function embeddedDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'devmesh-cli-'));
  await cp(await pgliteTemplateDir(), path.join(dir, 'pgdata'), { recursive: true });
  return dir;
}

const dirs: string[] = [];
after(async () => {
  for (const child of running) child.kill('SIGKILL');
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('devmesh CLI usage', () => {
  it('prints "Usage" and exits 0 for --help of every command', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'devmesh-cli-'));
    dirs.push(dataDir);
    const cases = [['--help'], ['serve', '--help'], ['worker', '--help'], ['migrate', '--help'], ['keys', '-h']];
    const results = await Promise.all(cases.map((args) => run(args, { DEVMESH_DATA_DIR: dataDir })));
    results.forEach((result, i) => {
      const what = `devmesh ${cases[i]?.join(' ')}`;
      assert.equal(result.code, 0, `${what}: ${result.stderr}`);
      assert.match(result.stdout, /Usage/, what);
    });
    assert.match(results[1]?.stdout ?? '', /devmesh serve/);
    assert.match(results[4]?.stdout ?? '', /keys create --name/);
    await assert.rejects(stat(path.join(dataDir, 'pgdata')), 'help opens no database');
  });

  it('exits 2 for an unknown command or option, naming it', async () => {
    const [command, option] = await Promise.all([run(['launch']), run(['serve', '--colour', 'red'])]);
    assert.equal(command.code, 2);
    assert.match(command.stderr, /unknown command "launch"/);
    assert.match(command.stderr, /Usage/);
    assert.equal(option.code, 2);
    assert.match(option.stderr, /colour/);
  });

  it('refuses invalid configuration with every problem listed at once', async () => {
    const env = { DEVMESH_MCP_PORT: 'abc', DEVMESH_LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' };
    const result = await run(['serve'], env);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Invalid configuration/);
    for (const name of ['DEVMESH_MCP_PORT="abc"', 'DEVMESH_LOG_LEVEL="loud"', 'DATABASE_URL="mysql://x"']) assert.ok(result.stderr.includes(name), `names ${name}`);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });
});

for (const backend of testBackends()) {
  describe(`devmesh keys against devmesh serve (${backend})`, () => {
    let env: Env;
    let dropDatabase: (() => Promise<void>) | undefined;
    before(async () => {
      const dataDir = backend === 'embedded' ? await embeddedDataDir() : await mkdtemp(path.join(os.tmpdir(), 'devmesh-cli-'));
      dirs.push(dataDir);
      env = { DEVMESH_DATA_DIR: dataDir };
      if (backend === 'postgres') {
        const database = await createTestPostgresDatabase();
        assert.ok(database);
        env.DATABASE_URL = database.url;
        dropDatabase = () => database.drop();
      }
    });
    after(async () => {
      await dropDatabase?.();
    });

    it('creates a key that a server started afterwards accepts, lists it, and revokes it', async () => {
      const created = await run(['keys', 'create', '--name', 'cli-agent', '--role', 'agent', '--json'], env);
      assert.equal(created.code, 0, created.stderr);
      const { id, key, role, tenant } = JSON.parse(created.stdout) as Record<string, string>;
      assert.match(key ?? '', /^dmk_[A-Za-z0-9_-]{43}$/);
      assert.equal(role, 'agent');
      assert.equal(tenant, 'default');

      const listed = await run(['keys', 'list'], env);
      assert.equal(listed.code, 0, listed.stderr);
      const line = listed.stdout.split('\n').find((l) => l.startsWith(`${id} `));
      assert.ok(line, listed.stdout);
      assert.match(line, /agent\s+active\s+cli-agent/);
      assert.ok(!listed.stdout.includes(key!), 'list never prints a key');

      const server = await serve(env);
      try {
        const rest = restClient(server.apiUrl, key);
        assert.equal((await rest('GET', '/api/v1/tasks')).status, 200);
        assert.equal((await rest('POST', '/api/v1/tasks', { title: 'from a CLI key' })).status, 201);
        assert.equal((await rest('GET', '/api/v1/api-keys')).status, 403, 'an agent key');
        assert.ok(!server.output().stdout.includes(key!), 'the server never logs the key');
      } finally {
        assert.equal(await server.stop(), 0);
      }

      const missing = await run(['keys', 'revoke', 'key_nope'], env);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /No key "key_nope"/);
      const revoked = await run(['keys', 'revoke', id!], env);
      assert.equal(revoked.code, 0, revoked.stderr);
      assert.match(revoked.stdout, new RegExp(`Revoked ${id}`));
      assert.match((await run(['keys', 'list'], env)).stdout, new RegExp(`${id} .*revoked\\s+cli-agent`));

      const again = await serve(env);
      try {
        const refused = await restClient(again.apiUrl, key)('GET', '/api/v1/tasks');
        assert.equal(refused.status, 401);
        assert.match(refused.body.detail, /revoked/);
      } finally {
        assert.equal(await again.stop(), 0);
      }
    });
  });
}

describe('devmesh serve (embedded)', () => {
  let dataDir: string;
  let server: Served;
  before(async () => {
    dataDir = await embeddedDataDir();
    dirs.push(dataDir);
    server = await serve({ DEVMESH_DATA_DIR: dataDir });
  });
  after(async () => {
    if (server?.child.exitCode === null) await server.stop();
  });

  it('logs JSON lines naming the backends, ports and admin key path, never the key', async () => {
    const adminKeyPath = path.join(dataDir, 'admin-key');
    const adminKey = (await readFile(adminKeyPath, 'utf8')).trim();
    assert.equal((await stat(adminKeyPath)).mode & 0o777, 0o600);
    const rest = restClient(server.apiUrl, adminKey);
    assert.equal((await rest('GET', '/api/v1/api-keys')).status, 200, 'the admin key works');
    assert.equal((await fetch(`${server.apiUrl}/api/v1/tasks`, { headers: { 'x-api-key': `${adminKey}x` } })).status, 401);

    const { stdout, stderr } = server.output();
    const lines = stdout.split('\n').filter(Boolean);
    const records = lines.map((line) => JSON.parse(line) as Record<string, any>);
    const started = records.find((r) => /started/.test(r.msg));
    assert.ok(started, stdout);
    assert.match(started.database, /^pglite/);
    assert.ok(String(started.database).includes(dataDir));
    assert.equal(started.queue, 'in-process');
    assert.equal(started.mcp.websocket, `${server.mcpUrl.replace('http', 'ws')}/ws`);
    assert.equal(started.mcp.http, `${server.mcpUrl}/mcp`);
    assert.equal(started.api, `${server.apiUrl}/api/v1`);
    assert.equal(started.adminKeyFile, adminKeyPath);
    assert.equal(started.adminKeyCreated, true);
    for (const text of [stdout, stderr]) {
      assert.ok(!text.includes(adminKey), 'the admin key is never logged');
      assert.ok(!text.includes('dmk_'), 'no key of any kind is logged');
    }
  });

  it('makes a second process on the same data dir fail fast with an "in use" message', async () => {
    for (const args of [['keys', 'list'], ['serve']]) {
      const startedAt = Date.now();
      const result = await run(args, {
        DEVMESH_DATA_DIR: dataDir,
        DEVMESH_MCP_PORT: String(await freePort()),
        DEVMESH_API_PORT: String(await freePort()),
      }, 30_000);
      assert.notEqual(result.code, 0, args.join(' '));
      assert.match(result.stderr, new RegExp(`in use by process ${server.child.pid}`), `${args.join(' ')}: ${result.stderr}`);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'a message, not a stack trace');
      assert.ok(Date.now() - startedAt < 15_000, 'fails fast');
    }
    assert.equal((await fetch(`${server.apiUrl}/health/ready`)).status, 200, 'the running server is unaffected');
  });

  it('stops on SIGTERM with exit code 0 and releases the data dir', async () => {
    assert.equal(await server.stop(), 0);
    const records = server.output().stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(records.some((r) => r.signal === 'SIGTERM' && /shutting down/.test(String(r.msg))));
    await assert.rejects(stat(path.join(dataDir, 'pgdata.lock')), 'the lock is released');
    const after = await run(['keys', 'list'], { DEVMESH_DATA_DIR: dataDir });
    assert.equal(after.code, 0, after.stderr);
    assert.match(after.stdout, /bootstrap admin/);
  });
});
