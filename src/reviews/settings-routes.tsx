import { Hono, type Context } from 'hono'
import { recordAudit, userActor } from '../audit/audit.ts'
import type { AppEnv } from '../http/app-env.ts'
import type { SessionUser } from '../auth/sessions.ts'
import { severities } from '../cases/terms.ts'
import { withOrg } from '../db.ts'
import { formList } from '../http/forms.ts'
import { render } from '../http/htmx.ts'
import { requireRole } from '../http/session.ts'
import { requiredReviewSeverities, saveRequiredReviewSeverities } from '../recovery/queries.ts'
import { ReviewSettingsPage } from '../../views/pages/review-settings.tsx'

/** /admin/reviews: which severities the team cannot close without a completed post-incident review. */
export const reviewSettingsRoutes = new Hono<AppEnv>()

async function show(c: Context<AppEnv>, user: SessionUser, notice?: string) {
  const required = await withOrg(c.get('deps').db, user.orgId, (tx) => requiredReviewSeverities(tx))
  return render(c, <ReviewSettingsPage required={required} notice={notice ?? null} />)
}

reviewSettingsRoutes.get('/', async (c) => show(c, requireRole(c, 'admin')))

reviewSettingsRoutes.post('/', async (c) => {
  const user = requireRole(c, 'admin')
  const body = await c.req.parseBody({ all: true })
  const picked = new Set(formList(body.severity))
  // Kept in severity order, whatever the form sent; anything else is dropped.
  const chosen = severities.filter((s) => picked.has(s))
  await withOrg(c.get('deps').db, user.orgId, async (tx) => {
    const before = await requiredReviewSeverities(tx)
    if (before.join() === chosen.join()) return
    await saveRequiredReviewSeverities(tx, user.orgId, chosen, user.id)
    await recordAudit(tx, user.orgId, {
      actor: userActor(user),
      action: 'org.review_settings_change',
      details: { from: before, to: chosen },
    })
  })
  return show(c, user, 'Saved.')
})
