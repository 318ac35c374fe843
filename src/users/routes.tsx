import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../app.ts'
import { withOrg } from '../db.ts'
import { notFound } from '../http/errors.ts'
import { requireRole } from '../http/session.ts'
import { AdminUsersPage, UsersPanel, type NewUserForm } from '../../views/admin-users.tsx'
import { listOrgUsers } from './queries.ts'
import { changeUserRole, createUser, disableUser, newUserSchema, userRoles, type UserChange } from './users.ts'

export const adminUserRoutes = new Hono<AppEnv>()

adminUserRoutes.use(async (c, next) => {
  requireRole(c, 'admin')
  await next()
})

/** The page for a normal request, the panel fragment for htmx; 422 when the change was refused. */
async function render(c: Context<AppEnv>, extra: { form?: NewUserForm; notice?: string } = {}, status: 200 | 422 = 200) {
  const me = requireRole(c, 'admin')
  const users = await withOrg(c.get('deps').db, me.orgId, (tx) => listOrgUsers(tx))
  if (c.req.header('hx-request')) return c.html(<UsersPanel users={users} me={me} nonce={c.get('secureHeadersNonce')} {...extra} />, status)
  return c.html(<AdminUsersPage users={users} me={me} nonce={c.get('secureHeadersNonce')} {...extra} />, status)
}

/** After a change: htmx gets the fresh panel; a plain form post is redirected (no resubmits). */
function afterChange(c: Context<AppEnv>, result: UserChange) {
  if (!result.ok) return render(c, { notice: result.message }, 422)
  return c.req.header('hx-request') ? render(c) : c.redirect('/admin/users', 303)
}

const userId = (c: Context<AppEnv>) => {
  const id = z.uuid().safeParse(c.req.param('id'))
  if (!id.success) throw notFound('That user')
  return id.data
}

adminUserRoutes.get('/', (c) => render(c))

adminUserRoutes.post('/', async (c) => {
  const admin = requireRole(c, 'admin')
  const body = await c.req.parseBody()
  const values = { email: String(body.email ?? '').trim(), name: String(body.name ?? '').trim(), role: String(body.role ?? '') }
  const parsed = newUserSchema.safeParse(values)
  if (!parsed.success) {
    const errors = Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), i.message]))
    return render(c, { form: { values, errors } }, 422)
  }
  const result = await createUser(c.get('deps').db, admin, parsed.data)
  if (!result.ok && result.field) return render(c, { form: { values, errors: { [result.field]: result.message } } }, 422)
  return afterChange(c, result)
})

adminUserRoutes.post('/:id/role', async (c) => {
  const admin = requireRole(c, 'admin')
  const role = z.enum(userRoles).safeParse((await c.req.parseBody()).role)
  if (!role.success) return render(c, { notice: 'Choose a role: agent, approver or admin.' }, 422)
  return afterChange(c, await changeUserRole(c.get('deps').db, admin, userId(c), role.data))
})

adminUserRoutes.post('/:id/disable', async (c) => {
  const admin = requireRole(c, 'admin')
  return afterChange(c, await disableUser(c.get('deps').db, admin, userId(c)))
})
