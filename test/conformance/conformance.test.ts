import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { registerConformanceFixtures } from './fixtures.js';

/**
 * The official MCP conformance suite (@modelcontextprotocol/conformance, installed with its own
 * Node 22 in tools/conformance/) run against the whole app over Streamable HTTP, spec 2025-06-18.
 * The suite sends no credentials, so a local proxy adds the admin key to every request.
 */

const SPEC_VERSION = '2025-06-18';
const RUN_TIMEOUT_MS = 5 * 60_000;

const runnerDir = fileURLToPath(new URL('../../tools/conformance/', import.meta.url));
const node22 = join(runnerDir, 'node_modules', 'node', 'bin', 'node');
const suitePackageDir = join(runnerDir, 'node_modules', '@modelcontextprotocol', 'conformance');

function suiteCli(): string | undefined {
  const manifest = join(suitePackageDir, 'package.json');
  if (!existsSync(node22) || !existsSync(manifest)) return undefined;
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: string | Record<string, string> };
  const entry = typeof bin === 'string' ? bin : bin.conformance;
  return entry ? join(suitePackageDir, entry) : undefined;
}

const cli = suiteCli();
const inCi = Boolean(process.env.CI);
const missing = 'tools/conformance is not installed: run `npm --prefix tools/conformance ci`';

/** Forwards every request to `upstream` with an Authorization header, streaming bodies both ways (SSE included). */
async function startAuthProxy(upstream: URL, apiKey: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers, host: upstream.host, authorization: `Bearer ${apiKey}` };
    const outgoing = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent: false },
      (incoming) => {
        res.writeHead(incoming.statusCode ?? 502, incoming.headers);
        res.flushHeaders();
        incoming.pipe(res);
        incoming.on('error', () => res.destroy());
      },
    );
    outgoing.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' }).end(`proxy: ${error.message}`);
      else res.destroy();
    });
    // The client hung up (e.g. closed an SSE stream): drop the upstream request as well.
    res.on('close', () => {
      if (!res.writableFinished) outgoing.destroy();
    });
    req.pipe(outgoing);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface SuiteRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
}

function runSuite(cliPath: string, url: string): Promise<SuiteRun> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  delete env.NODE_OPTIONS; // the project's loaders (tsx) are not for the suite's Node 22
  const child = spawn(node22, [cliPath, 'server', '--url', url, '--spec-version', SPEC_VERSION], {
    cwd: runnerDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

test(
  `MCP conformance suite (spec ${SPEC_VERSION}) passes over Streamable HTTP`,
  { skip: !cli && !inCi ? missing : false, timeout: RUN_TIMEOUT_MS + 60_000 },
  async (t) => {
    if (!cli) assert.fail(`${missing} (required when CI is set)`);

    const dataDir = await mkdtemp(join(tmpdir(), 'devmesh-conformance-'));
    t.after(() => rm(dataDir, { recursive: true, force: true }));

    const config = loadConfig({
      DEVMESH_DATA_DIR: dataDir,
      DEVMESH_MCP_PORT: '0',
      DEVMESH_API_PORT: '0',
      DEVMESH_LOG_LEVEL: 'silent',
    });
    const app = await createApp(config);
    registerConformanceFixtures(app.catalogue);
    await app.start();
    t.after(() => app.stop());

    const adminKey = app.adminKey ?? (await readFile(join(dataDir, 'admin-key'), 'utf8')).trim();
    assert.ok(adminKey, 'the app created no admin key');

    const proxy = await startAuthProxy(new URL(app.mcpUrl), adminKey);
    // Registered after app.stop, so it runs first (t.after hooks run in reverse order).
    t.after(() => proxy.close());

    const run = await runSuite(cli, `${proxy.url}/mcp`);
    const output = stripAnsi(run.output);
    const total = /^Total: (\d+) passed, (\d+) failed$/m.exec(output);
    const report = `conformance suite output:\n${output}`;

    assert.ok(total, `no "Total: N passed, N failed" line (exit ${run.code}, signal ${run.signal})\n${report}`);
    const [, passed, failed] = total.map(Number);
    assert.equal(failed, 0, `${failed} conformance check(s) failed\n${report}`);
    assert.ok((passed ?? 0) >= 26, `only ${passed} checks passed, expected at least 26\n${report}`);
    assert.equal(run.code, 0, `the suite exited with ${run.code}\n${report}`);
  },
);
