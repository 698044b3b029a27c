import type { Role } from '../storage/records.js';

export type { Role };

/** Who is calling: resolved once from the API key at the boundary, then passed everywhere. */
export interface Principal {
  tenantId: string;
  tenantName: string;
  apiKeyId: string;
  role: Role;
}

const rank: Record<Role, number> = { reader: 0, agent: 1, admin: 2 };

/** Roles are ordered: admin can do what agent can, agent what reader can. */
export function hasRole(principal: Principal, needed: Role): boolean {
  return rank[principal.role] >= rank[needed];
}
