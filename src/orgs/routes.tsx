import { Hono, type Context } from 'hono'
import { userActor } from '../audit/audit.ts'
import type { AppEnv } from '../http/app-env.ts'
import { loadSlaSettings } from '../sla/settings.ts'
import { withOrg } from '../db.ts'
import { requireRole } from '../http/session.ts'
import { SettingsPage } from '../../views/pages/settings.tsx'
import { findOrgById, loadApprovalPolicy, saveApprovalPolicy } from './queries.ts'
import { updateSlaSettings } from '../sla/clocks.ts'
import { parseSlaForm } from '../sla/settings.ts'
import { parseApprovalPolicyForm } from './approval-policy.ts'
import { render } from '../http/htmx.ts'

/** /admin/settings: the org's SLA policy, business hours and four-eyes policy. */
export const orgSettingsRoutes = new Hono<AppEnv>()

async function current(c: Context<AppEnv>, orgId: string) {
  return withOrg(c.get('deps').db, orgId, async (tx) => {
    const settings = await loadSlaSettings(tx, orgId)
    const org = await findOrgById(tx, orgId)
    return { ...settings, timezone: org!.timezone, approvalPolicy: await loadApprovalPolicy(tx, orgId) }
  })
}

orgSettingsRoutes.get('/admin/settings', async (c) => {
  const user = requireRole(c, 'admin')
  return render(c, <SettingsPage {...await current(c, user.orgId)} />)
})

orgSettingsRoutes.post('/admin/settings', async (c) => {
  const user = requireRole(c, 'admin')
  const form = await c.req.parseBody({ all: true })
  const parsed = parseSlaForm(form)
  const approval = parseApprovalPolicyForm(form)
  if (!parsed.ok || !approval.ok) {
    const errors = { ...(parsed.ok ? {} : parsed.errors), ...(approval.ok ? {} : approval.errors) }
    return render(c, <SettingsPage {...await current(c, user.orgId)} errors={errors} />, 422)
  }
  const recomputed = await withOrg(c.get('deps').db, user.orgId, async (tx) => {
    if (approval.policy) await saveApprovalPolicy(tx, user.id, approval.policy)
    return updateSlaSettings(tx, user.orgId, parsed, userActor(user))
  })
  const notice = `Saved. Deadlines of ${recomputed} open case${recomputed === 1 ? '' : 's'} were recomputed.`
  return render(c, <SettingsPage {...await current(c, user.orgId)} notice={notice} />)
})
