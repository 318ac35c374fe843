import { Hono, type Context } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import { withOrg } from '../db.ts'
import { findOrgById } from '../orgs/queries.ts'
import { requireUser } from '../http/session.ts'
import { MetricsPage } from '../../views/pages/metrics.tsx'
import { OwnerMetricsPage } from '../../views/pages/owner-metrics.tsx'
import { loadMetrics, loadOwnerCoaching, metricsCsv, type MetricsReport } from './metrics.ts'
import { isUuid } from '../http/ids.ts'
import { notFound } from '../http/errors.ts'
import { parsePeriod } from './period.ts'
import { render } from '../http/htmx.ts'
import { loadScorecard } from '../playbook/scorecard.ts'
import { playbookRoutes } from '../playbook/routes.tsx'

export const metricsRoutes = new Hono<AppEnv>()

// The scorecard's inputs and the team's templates (src/playbook, admins only) ride on this
// sub-app, mounted at /: /admin/ticket-counts and /admin/templates.
metricsRoutes.route('/admin', playbookRoutes)

// Any signed-in teammate: the figures are the team's own (per-owner rows are for coaching).
async function report(c: Context<AppEnv>): Promise<MetricsReport> {
  const user = requireUser(c)
  return withOrg(c.get('deps').db, user.orgId, async (tx) => {
    const org = await findOrgById(tx, user.orgId)
    return loadMetrics(tx, user.orgId, parsePeriod(c.req.query(), org?.timezone ?? 'UTC'))
  })
}

metricsRoutes.get('/metrics', async (c) => {
  const user = requireUser(c)
  const r = await report(c)
  const scorecard = await withOrg(c.get('deps').db, user.orgId, (tx) => loadScorecard(tx, r))
  return render(c, <MetricsPage report={r} scorecard={scorecard} canEnterTickets={user.role === 'admin'} />)
})

// One owner beside the team (the coaching view); "unowned" for the cases nobody owned.
metricsRoutes.get('/metrics/owners/:owner', async (c) => {
  const user = requireUser(c)
  const param = c.req.param('owner')
  if (param !== 'unowned' && !isUuid(param)) throw notFound('That owner')
  const coaching = await withOrg(c.get('deps').db, user.orgId, async (tx) => {
    const org = await findOrgById(tx, user.orgId)
    return loadOwnerCoaching(tx, user.orgId, parsePeriod(c.req.query(), org?.timezone ?? 'UTC'), param === 'unowned' ? null : param)
  })
  if (!coaching) throw notFound('That owner')
  return render(c, <OwnerMetricsPage coaching={coaching} />)
})

metricsRoutes.get('/metrics.csv', async (c) => {
  const user = requireUser(c)
  const r = await report(c)
  const body = [...metricsCsv(r)].join('')
  return c.body(body, 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${user.orgSlug}-metrics-${r.period.fromDate}-to-${r.period.toDate}.csv"`,
  })
})
