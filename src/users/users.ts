import { z } from 'zod'
import type { SessionUser } from '../auth/sessions.ts'
import { withOrg, type Db, type Tx } from '../db.ts'
import { AppError, notFound } from '../http/errors.ts'
import type { UserRole } from '../orgs/queries.ts'
import { changeRoleAsAdmin, createUserAsAdmin, disableUserAsAdmin, findOrgUser } from './queries.ts'

// Admins manage their org's users. The database functions behind these calls check that the
// actor is an active admin of the org, refuse self-changes, and write the audit event in the
// same transaction as the change, so a role never changes without a trace.

export const userRoles = ['agent', 'approver', 'admin'] as const satisfies readonly UserRole[]

export const newUserSchema = z.object({
  email: z
    .email('Enter an email address like name@company.com.')
    .max(320)
    .transform((e) => e.toLowerCase()),
  name: z.string().trim().min(1, 'Enter a name.').max(200, 'Keep the name under 200 characters.'),
  role: z.enum(userRoles, 'Choose a role.'),
})
export type NewUser = z.infer<typeof newUserSchema>

export type UserChange = { ok: true; userId?: string } | { ok: false; field?: keyof NewUser; message: string }

/** Runs an admin's change; the database refusing the actor (no longer an admin) is a 403. */
async function asAdmin<T>(db: Db, admin: SessionUser, fn: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await withOrg(db, admin.orgId, fn)
  } catch (error) {
    if ((error as { code?: string }).code === '42501') throw new AppError('FORBIDDEN', 'Only an admin can do that.')
    throw error
  }
}

export async function createUser(db: Db, admin: SessionUser, user: NewUser): Promise<UserChange> {
  return asAdmin(db, admin, async (tx): Promise<UserChange> => {
    const id = await createUserAsAdmin(tx, admin.id, user)
    return id ? { ok: true, userId: id } : { ok: false, field: 'email', message: `${user.email} is already a user of this organization.` }
  })
}

// Admins cannot demote or disable themselves, so an org always keeps at least one admin.
const selfChange: UserChange = { ok: false, message: 'You cannot change your own role or disable yourself; ask another admin.' }

export async function changeUserRole(db: Db, admin: SessionUser, userId: string, role: UserRole): Promise<UserChange> {
  if (userId === admin.id) return selfChange
  return asAdmin(db, admin, async (tx): Promise<UserChange> => {
    const outcome = await changeRoleAsAdmin(tx, admin.id, userId, role)
    if (outcome === 'not_found') throw notFound('That user') // another org's user id is a 404 too
    if (outcome === 'disabled') return { ok: false, message: `${(await findOrgUser(tx, userId))?.email ?? 'That user'} is disabled.` }
    return { ok: true }
  })
}

/** Disables the user and ends every session they have, in the same transaction. */
export async function disableUser(db: Db, admin: SessionUser, userId: string): Promise<UserChange> {
  if (userId === admin.id) return selfChange
  return asAdmin(db, admin, async (tx): Promise<UserChange> => {
    if ((await disableUserAsAdmin(tx, admin.id, userId)) === 'not_found') throw notFound('That user')
    return { ok: true }
  })
}
