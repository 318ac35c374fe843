import { Hono, type Context } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import { withOrg } from '../db.ts'
import { AppError, notFound } from '../http/errors.ts'
import { formText as field } from '../http/forms.ts'
import { render } from '../http/htmx.ts'
import { isUuid } from '../http/ids.ts'
import { requireRole } from '../http/session.ts'
import { SecondFactorAdminPage } from '../../views/pages/second-factor-admin.tsx'
import { resetSecondFactors, setSecondFactorRequired } from './second-factor-admin.ts'
import { findFactorSummary, listUserFactors } from './second-factor-queries.ts'

/** /admin/second-factor: whether admins and approvers must have one, and resetting a user's. */
export const secondFactorAdminRoutes = new Hono<AppEnv>()

secondFactorAdminRoutes.use(async (c, next) => {
  requireRole(c, 'admin')
  await next()
})

async function page(c: Context<AppEnv>, notice: string | null) {
  const admin = requireRole(c, 'admin')
  const { users, required } = await withOrg(c.get('deps').db, admin.orgId, async (tx) => ({
    users: await listUserFactors(tx),
    required: (await findFactorSummary(tx, admin.id)).required,
  }))
  return render(c, <SecondFactorAdminPage users={users} required={required} adminId={admin.id} notice={notice} />)
}

// A Map, so ?notice=constructor finds nothing on Object.prototype.
const notices = new Map([
  ['required', 'Admins and approvers now need a second factor; those without one are asked to set it up at their next request.'],
  ['optional', 'A second factor is now optional.'],
  ['reset', 'Second factor reset: the user was signed out everywhere and sets one up again at their next sign-in.'],
])

secondFactorAdminRoutes.get('/', (c) => page(c, notices.get(c.req.query('notice') ?? '') ?? null))

secondFactorAdminRoutes.post('/policy', async (c) => {
  const admin = requireRole(c, 'admin')
  const required = field(await c.req.parseBody(), 'required') === 'on'
  await setSecondFactorRequired(c.get('deps'), admin, required)
  return c.redirect(`/admin/second-factor?notice=${required ? 'required' : 'optional'}`, 303)
})

secondFactorAdminRoutes.post('/users/:id/reset', async (c) => {
  const admin = requireRole(c, 'admin')
  const id = c.req.param('id')
  if (!isUuid(id)) throw notFound('That user')
  const result = await resetSecondFactors(c.get('deps'), admin, id)
  if (!result.ok && result.reason === 'not_found') throw notFound('That user')
  if (!result.ok) throw new AppError('FORBIDDEN', 'Nobody resets their own second factor; ask another admin.')
  return c.redirect('/admin/second-factor?notice=reset', 303)
})
