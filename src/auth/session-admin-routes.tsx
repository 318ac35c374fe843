import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../http/app-env.ts'
import { AppError } from '../http/errors.ts'
import { render } from '../http/htmx.ts'
import { requireUser } from '../http/session.ts'
import { SessionsPage } from '../../views/pages/sessions.tsx'
import { revokeSessionAs, sessionsFor } from './session-admin.ts'

/** /sessions: your sessions (and, for an admin, everyone's in the org), each with a button that ends it. */
export const sessionAdminRoutes = new Hono<AppEnv>()

const idParam = z.uuid()

sessionAdminRoutes.get('/sessions', async (c) => {
  const user = requireUser(c)
  const view = await sessionsFor(c.get('deps').db, user)
  return render(
    c,
    <SessionsPage
      view={view}
      currentId={c.get('sessionId') ?? null}
      notice={c.req.query('revoked') === '1' ? 'Session ended.' : undefined}
    />,
  )
})

sessionAdminRoutes.post('/sessions/:id/revoke', async (c) => {
  const user = requireUser(c)
  const id = idParam.safeParse(c.req.param('id'))
  if (!id.success || (await revokeSessionAs(c.get('deps').db, user, id.data)) === 'not_found') {
    throw new AppError('NOT_FOUND', 'No such session.')
  }
  // Ending this browser's own session signs it out: the next page is the sign-in form.
  return c.redirect(id.data === c.get('sessionId') ? '/sign-in' : '/sessions?revoked=1', 303)
})
