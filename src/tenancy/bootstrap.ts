import { chmod, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TenancyService } from './tenancy-service.js';

export const DEFAULT_TENANT = 'default';

export interface BootstrapResult {
  tenantId: string;
  /** Where the first admin key was written, if this data dir has one. */
  adminKeyPath: string;
  /** True when this start created the admin key. */
  created: boolean;
}

/**
 * First start: create tenant `default` and an admin key, written to `<dataDir>/admin-key` with
 * mode 0600 so only the operator can read it. Later starts change nothing.
 *
 * The file is written by the process that created the tenant; with several processes on one
 * database, exactly one of them wins the tenant insert and writes its own data dir.
 */
export async function bootstrapTenancy(tenancy: TenancyService, dataDir: string): Promise<BootstrapResult> {
  const adminKeyPath = path.join(dataDir, 'admin-key');
  const { tenant, created } = await tenancy.ensureTenant(DEFAULT_TENANT);
  // Also when the tenant came first from `devmesh keys create` without any admin key.
  const needsAdmin = created || ((await readAdminKey(adminKeyPath)) === undefined && !(await tenancy.hasUsableAdminKey(tenant.id)));
  if (needsAdmin) {
    const { key } = await tenancy.issueKey(tenant.id, { name: 'bootstrap admin', role: 'admin' });
    await writeFile(adminKeyPath, `${key}\n`, { mode: 0o600 });
    await chmod(adminKeyPath, 0o600);
  }
  return { tenantId: tenant.id, adminKeyPath, created: needsAdmin };
}

export async function readAdminKey(adminKeyPath: string): Promise<string | undefined> {
  try {
    return (await readFile(adminKeyPath, 'utf8')).trim() || undefined;
  } catch {
    return undefined;
  }
}
