import { Hono, type Context } from 'hono'
import type { AppEnv } from '../app.ts'
import { exportAudit } from '../audit/export.ts'
import { loadSlaSettings } from '../sla/settings.ts'
import { severityOverridesByWeek } from '../cases/severity.ts'
import { withOrg } from '../db.ts'
import { requireRole } from '../http/session.ts'
import { OverridesPage, SettingsPage } from '../../views/settings.tsx'
import { findOrgById, loadApprovalPolicy, saveApprovalPolicy } from './queries.ts'
import { updateSlaSettings } from '../sla/clocks.ts'
import { parseSlaForm } from '../sla/settings.ts'
import { parseApprovalPolicyForm } from './approval-policy.ts'

export const settingsRoutes = new Hono<AppEnv>()

async function current(c: Context<AppEnv>, orgId: string) {
  return withOrg(c.get('deps').db, orgId, async (tx) => {
    const settings = await loadSlaSettings(tx, orgId)
    const org = await findOrgById(tx, orgId)
    return { ...settings, timezone: org!.timezone, approvalPolicy: await loadApprovalPolicy(tx, orgId) }
  })
}

settingsRoutes.get('/admin/settings', async (c) => {
  const user = requireRole(c, 'admin')
  return c.html(<SettingsPage user={user} nonce={c.get('secureHeadersNonce')} {...await current(c, user.orgId)} />)
})

settingsRoutes.post('/admin/settings', async (c) => {
  const user = requireRole(c, 'admin')
  const form = await c.req.parseBody({ all: true })
  const parsed = parseSlaForm(form)
  const approval = parseApprovalPolicyForm(form)
  if (!parsed.ok || !approval.ok) {
    const errors = { ...(parsed.ok ? {} : parsed.errors), ...(approval.ok ? {} : approval.errors) }
    return c.html(<SettingsPage user={user} nonce={c.get('secureHeadersNonce')} {...await current(c, user.orgId)} errors={errors} />, 422)
  }
  const recomputed = await withOrg(c.get('deps').db, user.orgId, async (tx) => {
    if (approval.policy) await saveApprovalPolicy(tx, user.id, approval.policy)
    return updateSlaSettings(tx, user.orgId, parsed, { kind: 'user', id: user.id })
  })
  const notice = `Saved. Deadlines of ${recomputed} open case${recomputed === 1 ? '' : 's'} were recomputed.`
  return c.html(<SettingsPage user={user} nonce={c.get('secureHeadersNonce')} {...await current(c, user.orgId)} notice={notice} />)
})

settingsRoutes.get('/admin/audit.csv', async (c) => {
  const user = requireRole(c, 'admin')
  const csv = await withOrg(c.get('deps').db, user.orgId, async (tx) => {
    let out = ''
    for await (const chunk of exportAudit(tx)) out += chunk
    return out
  })
  return c.body(csv, 200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${user.orgSlug}-audit.csv"` })
})

settingsRoutes.get('/reports/severity', async (c) => {
  const user = requireRole(c, 'approver')
  const weeks = await withOrg(c.get('deps').db, user.orgId, (tx) => severityOverridesByWeek(tx))
  return c.html(<OverridesPage user={user} nonce={c.get('secureHeadersNonce')} weeks={weeks} />)
})
