import { z } from 'zod'
import { recordAudit, type Actor } from '../audit/audit.ts'
import { revokeUserSessions } from '../auth/queries.ts'
import type { SessionUser } from '../auth/sessions.ts'
import { withOrg, type Db } from '../db.ts'
import { notFound } from '../http/errors.ts'
import type { UserRole } from '../orgs/queries.ts'
import { insertUserOnce, lockUser, markUserDisabled, updateUserRole } from './queries.ts'

// Admins manage their org's users. Each change and its audit event commit together.

export const userRoles = ['agent', 'approver', 'admin'] as const satisfies readonly UserRole[]

export const newUserSchema = z.object({
  email: z.email('Enter an email address like name@company.com.').max(320).transform((e) => e.toLowerCase()),
  name: z.string().trim().min(1, 'Enter a name.').max(200, 'Keep the name under 200 characters.'),
  role: z.enum(userRoles, 'Choose a role.'),
})
export type NewUser = z.infer<typeof newUserSchema>

export type UserChange = { ok: true } | { ok: false; field?: keyof NewUser; message: string }

const actorOf = (admin: SessionUser): Actor => ({ kind: 'user', id: admin.id })

export async function createUser(db: Db, admin: SessionUser, user: NewUser): Promise<UserChange> {
  return withOrg(db, admin.orgId, async (tx): Promise<UserChange> => {
    const id = await insertUserOnce(tx, admin.orgId, user)
    if (!id) return { ok: false, field: 'email', message: `${user.email} is already a user of this organization.` }
    await recordAudit(tx, admin.orgId, { actor: actorOf(admin), action: 'user.create', details: { userId: id, email: user.email, role: user.role } })
    return { ok: true }
  })
}

// Admins cannot demote or disable themselves, so an org always keeps at least one admin.
const selfChange: UserChange = { ok: false, message: 'You cannot change your own role or disable yourself; ask another admin.' }

export async function changeUserRole(db: Db, admin: SessionUser, userId: string, role: UserRole): Promise<UserChange> {
  if (userId === admin.id) return selfChange
  return withOrg(db, admin.orgId, async (tx): Promise<UserChange> => {
    const user = await lockUser(tx, userId)
    if (!user) throw notFound('That user') // another org's user id is a 404 too (RLS)
    if (user.disabledAt) return { ok: false, message: `${user.email} is disabled.` }
    if (user.role === role) return { ok: true }
    await updateUserRole(tx, userId, role)
    await recordAudit(tx, admin.orgId, {
      actor: actorOf(admin),
      action: 'user.role_change',
      details: { userId, email: user.email, from: user.role, to: role },
    })
    return { ok: true }
  })
}

/** Disables the user and ends every session they have, in the same transaction. */
export async function disableUser(db: Db, admin: SessionUser, userId: string): Promise<UserChange> {
  if (userId === admin.id) return selfChange
  return withOrg(db, admin.orgId, async (tx): Promise<UserChange> => {
    const user = await lockUser(tx, userId)
    if (!user) throw notFound('That user')
    if (user.disabledAt) return { ok: true }
    await markUserDisabled(tx, userId)
    const sessionsRevoked = await revokeUserSessions(tx, userId)
    await recordAudit(tx, admin.orgId, {
      actor: actorOf(admin),
      action: 'user.disable',
      details: { userId, email: user.email, sessionsRevoked },
    })
    return { ok: true }
  })
}
