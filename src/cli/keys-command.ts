import { openDatabase } from '../app.js';
import { loadConfig } from '../config/config.js';
import { systemClock } from '../lib/clock.js';
import { runMigrations } from '../storage/migrate.js';
import { createStores } from '../storage/queries/index.js';
import type { Role } from '../storage/records.js';
import { DEFAULT_TENANT } from '../tenancy/bootstrap.js';
import { createTenancyService } from '../tenancy/tenancy-service.js';
import { parse, UsageError } from './args.js';

const help = `Usage: devmesh keys <create|list|revoke> [options]

Manages API keys directly in the configured database (operator access; no key needed).
With the embedded database, stop the server first or use the REST API /api/v1/api-keys instead.

  devmesh keys create --name <name> [--role admin|agent|reader] [--tenant <name>] [--expires <ISO time>]
      Creates a key and prints it once. --role defaults to agent, --tenant to "default"
      (a new tenant is created if it does not exist yet).
  devmesh keys list [--tenant <name>] [--json]
  devmesh keys revoke <key id> [--tenant <name>]

Examples:
  devmesh keys create --name ci-bot --role agent
  devmesh keys create --name acme-admin --role admin --tenant acme --expires 2027-01-01T00:00:00Z
  devmesh keys revoke key_3f9c0d...
`;

const roles: Role[] = ['admin', 'agent', 'reader'];

export async function keysCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    name: { type: 'string' },
    role: { type: 'string', default: 'agent' },
    tenant: { type: 'string', default: DEFAULT_TENANT },
    expires: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  const [action, keyId] = positionals;
  if (values.help || !action) {
    process.stdout.write(help);
    return values.help ? 0 : 2;
  }
  if (!['create', 'list', 'revoke'].includes(action)) throw new UsageError(`unknown keys action "${action}"; use create, list or revoke.`);
  const sql = await openDatabase(loadConfig());
  try {
    await runMigrations(sql);
    const stores = createStores(sql);
    const tenancy = createTenancyService({ tenants: stores.tenants, apiKeys: stores.apiKeys, clock: systemClock });
    const tenantName = values.tenant ?? DEFAULT_TENANT;
    if (action === 'create') {
      if (!values.name) throw new UsageError('keys create needs --name <name>.');
      const role = values.role as Role;
      if (!roles.includes(role)) throw new UsageError(`--role must be one of ${roles.join(', ')}.`);
      const expiresAt = values.expires ? new Date(values.expires) : null;
      if (expiresAt && (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= Date.now())) {
        throw new UsageError('--expires must be an ISO 8601 time in the future, e.g. 2027-01-01T00:00:00Z.');
      }
      const { tenant } = await tenancy.ensureTenant(tenantName);
      const { key, record } = await tenancy.issueKey(tenant.id, { name: values.name, role, expiresAt });
      if (values.json) process.stdout.write(`${JSON.stringify({ id: record.id, tenant: tenant.name, tenant_id: tenant.id, role, key })}\n`);
      else process.stdout.write(`Created ${role} key ${record.id} in tenant "${tenant.name}". Store it now; it is not shown again:\n${key}\n`);
      return 0;
    }
    const tenant = await tenancy.tenantByName(tenantName);
    if (action === 'list') {
      const keys = await stores.apiKeys.list(tenant.id);
      if (values.json) {
        process.stdout.write(`${JSON.stringify(keys)}\n`);
        return 0;
      }
      for (const k of keys) {
        const state = k.revokedAt ? 'revoked' : k.expiresAt && k.expiresAt <= new Date() ? 'expired' : 'active';
        process.stdout.write(`${k.id}  ${k.prefix}…  ${k.role.padEnd(6)}  ${state.padEnd(7)}  ${k.name}\n`);
      }
      if (!keys.length) process.stdout.write(`No keys in tenant "${tenant.name}".\n`);
      return 0;
    }
    if (!keyId) throw new UsageError('keys revoke needs the key id, e.g. devmesh keys revoke key_3f9c...');
    const revoked = await stores.apiKeys.revoke(tenant.id, keyId, new Date());
    if (!revoked) throw new UsageError(`No key "${keyId}" in tenant "${tenant.name}" (see devmesh keys list).`);
    process.stdout.write(`Revoked ${revoked.id} (${revoked.name}).\n`);
    return 0;
  } finally {
    await sql.close();
  }
}
