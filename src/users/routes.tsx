import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../http/app-env.ts'
import { withOrg } from '../db.ts'
import { notFound } from '../http/errors.ts'
import { fieldErrors } from '../http/forms.ts'
import { requireRole } from '../http/session.ts'
import { AdminUsersPage, UsersPanel, type NewUserForm } from '../../views/pages/admin-users.tsx'
import { listOrgUsers } from './queries.ts'
import { changeUserRole, createUser, disableUser, newUserSchema, userRoles, type UserChange } from './users.ts'
import { isHtmx, pageOrFragment } from '../http/htmx.ts'
import { inviteUser, type Invitation } from './invite.ts'

export const adminUserRoutes = new Hono<AppEnv>()

adminUserRoutes.use(async (c, next) => {
  requireRole(c, 'admin')
  await next()
})

/** The page for a normal request, the panel fragment for htmx; 422 when the change was refused. */
async function showUsers(
  c: Context<AppEnv>,
  extra: { form?: NewUserForm; notice?: string; sent?: string } = {},
  status: 200 | 422 | 502 = 200,
) {
  const me = requireRole(c, 'admin')
  const users = await withOrg(c.get('deps').db, me.orgId, (tx) => listOrgUsers(tx))
  return pageOrFragment(c, <AdminUsersPage users={users} me={me} {...extra} />, <UsersPanel users={users} me={me} {...extra} />, status)
}

/** After a change: htmx gets the fresh panel; a plain form post is redirected (no resubmits). */
function afterChange(c: Context<AppEnv>, result: UserChange) {
  if (!result.ok) return showUsers(c, { notice: result.message }, 422)
  return isHtmx(c) ? showUsers(c) : c.redirect('/admin/users', 303)
}

const userId = (c: Context<AppEnv>) => {
  const id = z.uuid().safeParse(c.req.param('id'))
  if (!id.success) throw notFound('That user')
  return id.data
}

adminUserRoutes.get('/', (c) => showUsers(c, c.req.query('invited') ? { sent: 'the new user' } : {}))

adminUserRoutes.post('/', async (c) => {
  const admin = requireRole(c, 'admin')
  const body = await c.req.parseBody()
  const values = { email: String(body.email ?? '').trim(), name: String(body.name ?? '').trim(), role: String(body.role ?? '') }
  const parsed = newUserSchema.safeParse(values)
  if (!parsed.success) {
    return showUsers(c, { form: { values, errors: fieldErrors(parsed.error) } }, 422)
  }
  const result = await createUser(c.get('deps').db, admin, parsed.data)
  if (!result.ok && result.field) return showUsers(c, { form: { values, errors: { [result.field]: result.message } } }, 422)
  if (!result.ok || !result.userId) return afterChange(c, result)
  // Adding someone invites them: a mail naming the org, with a single-use sign-in link.
  return afterInvitation(c, await inviteUser(c.get('deps'), admin, result.userId))
})

adminUserRoutes.post('/:id/invite', async (c) => {
  const admin = requireRole(c, 'admin')
  const invitation = await inviteUser(c.get('deps'), admin, userId(c))
  if (!invitation.ok && invitation.reason === 'not_found') throw notFound('That user')
  return afterInvitation(c, invitation)
})

function afterInvitation(c: Context<AppEnv>, invitation: Invitation) {
  if (!invitation.ok) return showUsers(c, { notice: invitation.message }, invitation.reason === 'not_sent' ? 502 : 422)
  return isHtmx(c) ? showUsers(c, { sent: invitation.email }) : c.redirect(`/admin/users?invited=1`, 303)
}

adminUserRoutes.post('/:id/role', async (c) => {
  const admin = requireRole(c, 'admin')
  const role = z.enum(userRoles).safeParse((await c.req.parseBody()).role)
  if (!role.success) return showUsers(c, { notice: 'Choose a role: agent, approver or admin.' }, 422)
  return afterChange(c, await changeUserRole(c.get('deps').db, admin, userId(c), role.data))
})

adminUserRoutes.post('/:id/disable', async (c) => {
  const admin = requireRole(c, 'admin')
  return afterChange(c, await disableUser(c.get('deps').db, admin, userId(c)))
})
