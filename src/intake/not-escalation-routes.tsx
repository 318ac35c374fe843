import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import { withOrg } from '../db.ts'
import { AppError } from '../http/errors.ts'
import { render } from '../http/htmx.ts'
import { requireUser } from '../http/session.ts'
import { NotEscalationsPage } from '../../views/pages/not-escalations.tsx'
import { openCaseFromNotEscalation } from './not-escalations.ts'
import { listNotEscalations } from './queries.ts'

export const notEscalationRoutes = new Hono<AppEnv>()

// What intake kept without opening a case: auto-replies, delivery reports, bulk mail.
notEscalationRoutes.get('/not-escalations', async (c) => {
  const user = requireUser(c)
  const rows = await withOrg(c.get('deps').db, user.orgId, (tx) => listNotEscalations(tx))
  return render(c, <NotEscalationsPage rows={rows} isAdmin={user.role === 'admin'} />)
})

notEscalationRoutes.post('/not-escalations/:rawId/open', async (c) => {
  const user = requireUser(c)
  const { db, analyze, env } = c.get('deps')
  try {
    const outcome = await openCaseFromNotEscalation(db, { orgId: user.orgId, rawId: c.req.param('rawId'), user, analyze, env })
    if (outcome.status === 'quarantined') throw new AppError('INVALID_STATE', `The message could not be read: ${outcome.reason}`)
    const [row] = outcome.case
      ? await withOrg(db, user.orgId, (tx) => tx<{ id: string }[]>`select id from cases where 'ESC-' || number = ${outcome.case}`)
      : []
    return row ? c.redirect(`/cases/${row.id}`, 303) : c.redirect('/not-escalations', 303)
  } catch (error) {
    if (!(error instanceof AppError) || error.code === 'NOT_FOUND') throw error
    const rows = await withOrg(db, user.orgId, (tx) => listNotEscalations(tx))
    return render(c, <NotEscalationsPage rows={rows} isAdmin={user.role === 'admin'} error={error.message} />, error.status)
  }
})
