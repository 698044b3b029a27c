import { DevMeshError, forbidden, notFound, unauthenticated } from '../errors/index.js';
import type { Clock } from '../lib/clock.js';
import { newId } from '../lib/ids.js';
import type { ApiKeyRecord, Role, TenantRecord } from '../storage/records.js';
import type { ApiKeyStore, TenantStore } from '../storage/stores.js';
import { generateApiKey, hashApiKey, looksLikeApiKey } from './api-key-format.js';
import { hasRole, type Principal } from './principal.js';

export interface TenancyDeps {
  tenants: TenantStore;
  apiKeys: ApiKeyStore;
  clock: Clock;
  /** How long a resolved key is trusted without asking the database again (revocation in this process is immediate). */
  cacheTtlMs?: number;
}

export interface CreatedKey {
  /** The secret: shown once, never stored. */
  key: string;
  record: ApiKeyRecord;
}

export type TenancyService = ReturnType<typeof createTenancyService>;

export function createTenancyService(deps: TenancyDeps) {
  const { tenants, apiKeys, clock } = deps;
  const ttl = deps.cacheTtlMs ?? 10_000;
  const cache = new Map<string, { principal: Principal; key: ApiKeyRecord; until: number }>();

  async function ensureTenant(name: string): Promise<{ tenant: TenantRecord; created: boolean }> {
    const existing = await tenants.findByName(name);
    if (existing) return { tenant: existing, created: false };
    try {
      return { tenant: await tenants.create({ id: newId('tnt'), name }), created: true };
    } catch (error) {
      // Another process created it between our read and insert.
      const raced = await tenants.findByName(name);
      if (raced) return { tenant: raced, created: false };
      throw error;
    }
  }

  async function issueKey(tenantId: string, input: { name: string; role: Role; expiresAt?: Date | null }): Promise<CreatedKey> {
    const { key, hash, prefix } = generateApiKey();
    const record = await apiKeys.insert({
      id: newId('key'),
      tenantId,
      name: input.name,
      role: input.role,
      keyHash: hash,
      prefix,
      expiresAt: input.expiresAt ?? null,
    });
    return { key, record };
  }

  function checkUsable(key: ApiKeyRecord, now: Date): void {
    if (key.revokedAt) throw unauthenticated(`API key ${key.prefix}… was revoked; ask an admin for a new key.`);
    if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) {
      throw unauthenticated(`API key ${key.prefix}… expired at ${key.expiresAt.toISOString()}; ask an admin for a new key.`);
    }
  }

  return {
    ensureTenant,

    /** The tenant by name, for CLI use; not_found when absent. */
    async tenantByName(name: string): Promise<TenantRecord> {
      const tenant = await tenants.findByName(name);
      if (!tenant) throw notFound(`No tenant named "${name}".`);
      return tenant;
    },

    /** Creates a key in any tenant: for the bootstrap and the operator CLI, never reachable over the network. */
    issueKey,

    /** Whether the tenant has an admin key that is neither revoked nor expired. */
    async hasUsableAdminKey(tenantId: string): Promise<boolean> {
      const now = clock.now().getTime();
      return (await apiKeys.list(tenantId)).some(
        (k) => k.role === 'admin' && !k.revokedAt && (!k.expiresAt || k.expiresAt.getTime() > now),
      );
    },

    /** Resolves a presented key to a principal, or throws unauthenticated with a reason a person can act on. */
    async authenticate(presented: string | undefined): Promise<Principal> {
      if (!presented) {
        throw unauthenticated('Missing API key: send "Authorization: Bearer <key>" or "X-API-Key: <key>".');
      }
      if (!looksLikeApiKey(presented)) throw unauthenticated('Malformed API key: DevMesh keys look like dmk_… (47 characters).');
      const hash = hashApiKey(presented);
      const now = clock.now();
      const cached = cache.get(hash);
      if (cached && cached.until > now.getTime()) {
        checkUsable(cached.key, now);
        return cached.principal;
      }
      const key = await apiKeys.findByHash(hash);
      if (!key) throw unauthenticated('Unknown API key: check that you copied the whole key.');
      checkUsable(key, now);
      const tenant = await tenants.findById(key.tenantId);
      if (!tenant) throw unauthenticated('The tenant of this API key no longer exists.');
      const principal: Principal = { tenantId: tenant.id, tenantName: tenant.name, apiKeyId: key.id, role: key.role };
      cache.set(hash, { principal, key, until: now.getTime() + ttl });
      void apiKeys.touch(key.id, now).catch(() => undefined);
      return principal;
    },

    async createKey(principal: Principal, input: { name: string; role: Role; expiresAt?: Date | null }): Promise<CreatedKey> {
      requireRole(principal, 'admin');
      if (input.expiresAt && input.expiresAt.getTime() <= clock.now().getTime()) {
        throw new DevMeshError('invalid_argument', 'expires_at must be in the future.', { field: 'expires_at' });
      }
      return issueKey(principal.tenantId, input);
    },

    async listKeys(principal: Principal): Promise<ApiKeyRecord[]> {
      requireRole(principal, 'admin');
      return apiKeys.list(principal.tenantId);
    },

    async revokeKey(principal: Principal, id: string): Promise<ApiKeyRecord> {
      requireRole(principal, 'admin');
      const revoked = await apiKeys.revoke(principal.tenantId, id, clock.now());
      if (!revoked) throw notFound(`No API key with id "${id}" in this tenant.`);
      for (const [hash, entry] of cache) if (entry.key.id === id) cache.delete(hash);
      return revoked;
    },
  };
}

export function requireRole(principal: Principal, role: Role): void {
  if (!hasRole(principal, role)) {
    throw forbidden(`This needs the "${role}" role; your API key has "${principal.role}".`);
  }
}
