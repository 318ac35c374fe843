import type { Q, Tx } from '../db.ts'
import type { UserRole } from '../orgs/queries.ts'

// Org-scoped (withOrg transaction handles): RLS keeps every statement inside the admin's org.

export type UserRow = { id: string; email: string; name: string; role: UserRole; disabledAt: Date | null; createdAt: Date }

const userColumns = (db: Q) => db`id, email, name, role, disabled_at as "disabledAt", created_at as "createdAt"`

export async function listOrgUsers(db: Q): Promise<UserRow[]> {
  return db<UserRow[]>`select ${userColumns(db)} from app_users order by disabled_at nulls first, lower(name), email`
}

/** Inserts the user, or returns undefined when the address is already a user of the org. */
export async function insertUserOnce(tx: Tx, orgId: string, u: { email: string; name: string; role: UserRole }): Promise<string | undefined> {
  const [row] = await tx<{ id: string }[]>`
    insert into app_users (org_id, email, name, role) values (${orgId}, ${u.email}, ${u.name}, ${u.role})
    on conflict (org_id, email) do nothing
    returning id`
  return row?.id
}

/** The user row, locked until the transaction ends, so concurrent admin changes serialise. */
export async function lockUser(tx: Tx, id: string): Promise<UserRow | undefined> {
  const [row]: [UserRow?] = await tx`select ${userColumns(tx)} from app_users where id = ${id} for no key update`
  return row
}

export async function updateUserRole(tx: Tx, id: string, role: UserRole): Promise<void> {
  await tx`update app_users set role = ${role} where id = ${id}`
}

export async function markUserDisabled(tx: Tx, id: string): Promise<void> {
  await tx`update app_users set disabled_at = now() where id = ${id} and disabled_at is null`
}
