import { Hono, type Context } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import { withOrg } from '../db.ts'
import { notFound } from '../http/errors.ts'
import { fieldErrors, textFields } from '../http/forms.ts'
import { render } from '../http/htmx.ts'
import { isUuid } from '../http/ids.ts'
import { SHOWN_ONCE_HEADER } from '../http/idempotency.ts'
import { requireRole } from '../http/session.ts'
import { ApiTokensPage } from '../../views/pages/api-tokens.tsx'
import { listApiTokens } from './queries.ts'
import { issueApiToken, newApiTokenSchema, revokeApiToken } from './tokens.ts'

/** /admin/api-tokens: admins create (shown once), list and revoke the org's /api/v1 tokens. */
export const apiTokenAdminRoutes = new Hono<AppEnv>()

apiTokenAdminRoutes.use(async (c, next) => {
  requireRole(c, 'admin')
  await next()
})

async function tokensOf(c: Context<AppEnv>) {
  const admin = requireRole(c, 'admin')
  return withOrg(c.get('deps').db, admin.orgId, (tx) => listApiTokens(tx))
}

apiTokenAdminRoutes.get('/', async (c) => {
  const notice = c.req.query('revoked') ? 'Token revoked: requests with it are refused from now on.' : null
  return render(c, <ApiTokensPage tokens={await tokensOf(c)} notice={notice} />)
})

apiTokenAdminRoutes.post('/', async (c) => {
  const admin = requireRole(c, 'admin')
  const values = await textFields(c)
  const parsed = newApiTokenSchema.safeParse(values)
  if (!parsed.success) {
    return render(c, <ApiTokensPage tokens={await tokensOf(c)} form={{ values, errors: fieldErrors(parsed.error) }} />, 422)
  }
  const { token } = await issueApiToken(c.get('deps').db, admin, parsed.data)
  // Answered here, not redirected: the token exists in the clear in this one answer, which the
  // double-submit guard must not keep either.
  c.header(SHOWN_ONCE_HEADER, '1')
  return render(c, <ApiTokensPage tokens={await tokensOf(c)} created={{ name: parsed.data.name, token }} />, 201)
})

apiTokenAdminRoutes.post('/:id/revoke', async (c) => {
  const admin = requireRole(c, 'admin')
  const id = c.req.param('id')
  if (!isUuid(id)) throw notFound('That token')
  await revokeApiToken(c.get('deps').db, admin, id)
  return c.redirect('/admin/api-tokens?revoked=1', 303)
})
