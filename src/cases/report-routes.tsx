import { Hono } from 'hono'
import { withOrg } from '../db.ts'
import type { AppEnv } from '../http/app-env.ts'
import { render } from '../http/htmx.ts'
import { requireRole } from '../http/session.ts'
import { OverridesPage } from '../../views/pages/settings.tsx'
import { severityOverridesByWeek } from './severity.ts'

/** /reports/severity: who raised or lowered severities, per week (priority inflation shows here). */
export const severityReportRoutes = new Hono<AppEnv>()

severityReportRoutes.get('/', async (c) => {
  const user = requireRole(c, 'approver')
  const weeks = await withOrg(c.get('deps').db, user.orgId, (tx) => severityOverridesByWeek(tx))
  return render(c, <OverridesPage weeks={weeks} />)
})
