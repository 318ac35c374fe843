import type { DbOrTx, Tx } from '../db.ts'
import type { UserRole } from '../orgs/queries.ts'

// Org-scoped (withOrg transaction handles): RLS keeps every read inside the admin's org. Changes
// go through database functions (sql/00011): the application role cannot write roles, disable
// users or add them itself, so no code path reached as the app can mint an approver.

export type UserRow = { id: string; email: string; name: string; role: UserRole; disabledAt: Date | null; createdAt: Date }

const userColumns = (db: DbOrTx) => db`id, email, name, role, disabled_at as "disabledAt", created_at as "createdAt"`

export async function listOrgUsers(db: DbOrTx): Promise<UserRow[]> {
  return db<UserRow[]>`select ${userColumns(db)} from app_users order by disabled_at nulls first, lower(name), email`
}

/** The new user's id, or undefined when the address is already a user of the org. Audited by the function. */
export async function createUserAsAdmin(
  tx: Tx,
  adminId: string,
  u: { email: string; name: string; role: UserRole },
): Promise<string | undefined> {
  const [row] = await tx<{ id: string | null }[]>`select create_app_user(${adminId}, ${u.email}, ${u.name}, ${u.role}) as id`
  return row!.id ?? undefined
}

export type RoleOutcome = 'changed' | 'unchanged' | 'disabled' | 'not_found'

/** Audited by the function, which also refuses a non-admin actor and self-changes. */
export async function changeRoleAsAdmin(tx: Tx, adminId: string, userId: string, role: UserRole): Promise<RoleOutcome> {
  const [row] = await tx<{ outcome: RoleOutcome }[]>`select change_user_role(${adminId}, ${userId}, ${role}) as outcome`
  return row!.outcome
}

export type DisableOutcome = 'disabled' | 'unchanged' | 'not_found'

/** Disables the user and revokes their sessions; audited by the function. */
export async function disableUserAsAdmin(tx: Tx, adminId: string, userId: string): Promise<DisableOutcome> {
  const [row] = await tx<{ outcome: DisableOutcome }[]>`select disable_app_user(${adminId}, ${userId}) as outcome`
  return row!.outcome
}

export async function findOrgUser(db: DbOrTx, id: string): Promise<UserRow | undefined> {
  const [row]: [UserRow?] = await db`select ${userColumns(db)} from app_users where id = ${id}`
  return row
}
