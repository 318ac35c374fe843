import { Hono } from 'hono'
import { getCaseDetail } from '../cases/detail.ts'
import { caseLabel } from '../cases/terms.ts'
import { withOrg } from '../db.ts'
import type { AppEnv } from '../http/app-env.ts'
import { notFound } from '../http/errors.ts'
import { isUuid } from '../http/ids.ts'
import { requireRole, requireUser } from '../http/session.ts'
import { exportAudit } from './export.ts'

/** The audit trail as CSV: the whole org's (admins), or one case's (anyone who can see the case). */
export const auditRoutes = new Hono<AppEnv>()

auditRoutes.get('/admin/audit.csv', async (c) => {
  const user = requireRole(c, 'admin')
  const csv = await withOrg(c.get('deps').db, user.orgId, async (tx) => {
    let out = ''
    for await (const chunk of exportAudit(tx)) out += chunk
    return out
  })
  return c.body(csv, 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${user.orgSlug}-audit.csv"`,
  })
})

auditRoutes.get('/cases/:id/audit.csv', async (c) => {
  const user = requireUser(c)
  const caseId = c.req.param('id')
  if (!isUuid(caseId)) throw notFound('That case')
  const { db } = c.get('deps')
  const csv = await withOrg(db, user.orgId, async (tx) => {
    const kase = await getCaseDetail(tx, caseId)
    if (!kase) return null
    let out = ''
    for await (const chunk of exportAudit(tx, caseId)) out += chunk
    return { out, number: kase.number }
  })
  if (!csv) throw notFound('That case')
  return c.body(csv.out, 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${caseLabel(csv.number)}-audit.csv"`,
  })
})
