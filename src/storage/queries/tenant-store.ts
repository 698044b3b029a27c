import type { TenantRecord } from '../records.js';
import type { SqlClient } from '../sql-port.js';
import type { TenantStore } from '../stores.js';
import { constraintOf, rethrowConflict } from './sql-values.js';

const columns = `id, name, created_at AS "createdAt"`;

export function createTenantStore(sql: SqlClient): TenantStore {
  return {
    async create(input) {
      try {
        const { rows } = await sql.query<TenantRecord>(
          `INSERT INTO tenants (id, name) VALUES ($1, $2) RETURNING ${columns}`,
          [input.id, input.name],
        );
        return rows[0]!;
      } catch (error) {
        const field = constraintOf(error) === 'tenants_name_key' ? 'name' : 'id';
        rethrowConflict(error, `A tenant with this ${field} already exists; choose another ${field}.`, { field });
      }
    },
    async findById(id) {
      const { rows } = await sql.query<TenantRecord>(`SELECT ${columns} FROM tenants WHERE id = $1`, [id]);
      return rows[0];
    },
    async findByName(name) {
      const { rows } = await sql.query<TenantRecord>(`SELECT ${columns} FROM tenants WHERE name = $1`, [name]);
      return rows[0];
    },
  };
}
