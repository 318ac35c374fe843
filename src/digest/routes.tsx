import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { userActor } from '../audit/audit.ts'
import type { AppEnv } from '../http/app-env.ts'
import type { SessionUser } from '../auth/sessions.ts'
import { withOrg } from '../db.ts'
import { requireRole } from '../http/session.ts'
import { DigestSettingsPage } from '../../views/pages/digest-settings.tsx'
import { previewDigest } from './digest.ts'
import { listRecentDigestRuns } from './queries.ts'
import { loadNotificationSettings, notActiveUsers, updateNotificationSettings, type OrgNotificationSettings } from './settings.ts'
import { fieldErrors, textFields } from '../http/forms.ts'
import { render } from '../http/htmx.ts'

/** /admin/digest: when and to whom the digest goes, which alerts are on, and what it would say now. */
export const digestSettingsRoutes = new Hono<AppEnv>()

const checkbox = z
  .enum(['on'])
  .optional()
  .transform((v) => v === 'on')
const formSchema = z.object({
  digest_enabled: checkbox,
  digest_when_empty: checkbox,
  alert_new_sev1: checkbox,
  alert_at_risk: checkbox,
  alert_send_failed: checkbox,
  digest_hour: z.coerce.number({ error: 'Choose an hour.' }).int('Choose an hour.').min(0, 'Choose an hour.').max(23, 'Choose an hour.'),
  digest_recipients: z.string().max(5000, 'Keep the list under 5,000 characters.').default(''),
})

async function showSettings(
  c: Context<AppEnv>,
  user: SessionUser,
  extra: { errors?: Record<string, string>; notice?: string; settings?: OrgNotificationSettings; recipientsText?: string } = {},
  status: 200 | 422 = 200,
) {
  const { db, env } = c.get('deps')
  const [settings, preview, runs] = [
    extra.settings ?? (await withOrg(db, user.orgId, (tx) => loadNotificationSettings(tx, user.orgId))),
    await previewDigest(db, env, user.orgId),
    await withOrg(db, user.orgId, (tx) => listRecentDigestRuns(tx)),
  ]
  const verdict = !preview.enabled
    ? 'The digest is turned off: nothing would be sent.'
    : !preview.needsAttention && !preview.whenEmpty
      ? 'Nothing needs attention: nothing would be sent.'
      : preview.recipients.length === 0
        ? 'Nobody would receive it: no active approver or admin.'
        : `It would go to ${preview.recipients.join(', ')}.`
  return render(
    c,
    <DigestSettingsPage
      settings={settings}
      recipientsText={extra.recipientsText}
      preview={{ subject: preview.mail.subject, text: preview.mail.text, recipients: preview.recipients, verdict }}
      runs={runs}
      errors={extra.errors}
      notice={extra.notice}
    />,
    status,
  )
}

digestSettingsRoutes.get('/', async (c) => {
  const user = requireRole(c, 'admin')
  return showSettings(c, user)
})

digestSettingsRoutes.post('/', async (c) => {
  const user = requireRole(c, 'admin')
  const form = await textFields(c)
  const parsed = formSchema.safeParse(form)
  const errors = parsed.success ? {} : fieldErrors(parsed.error)
  const { db } = c.get('deps')
  const typed = String(form.digest_recipients ?? '')
  const recipients = [
    ...new Set(
      typed
        .split(/[\s,;]+/)
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    ),
  ]
  if (recipients.length) {
    const unknown = await withOrg(db, user.orgId, (tx) => notActiveUsers(tx, recipients))
    if (unknown.length)
      errors.digest_recipients = `Not an active user of this organization: ${unknown.join(', ')}. The digest only goes to people who work here.`
  }
  if (!parsed.success || Object.keys(errors).length) {
    const current = await withOrg(db, user.orgId, (tx) => loadNotificationSettings(tx, user.orgId))
    const shown: OrgNotificationSettings = parsed.success
      ? { ...current, ...parsed.data, digestHour: parsed.data.digest_hour, digest_recipients: recipients }
      : current
    return showSettings(
      c,
      user,
      { errors: { form: 'Nothing was saved; see below.', ...errors }, settings: shown, recipientsText: typed },
      422,
    )
  }
  const { digest_hour: digestHour, digest_recipients: _typed, ...flags } = parsed.data
  await withOrg(db, user.orgId, (tx) =>
    updateNotificationSettings(tx, user.orgId, { ...flags, digest_recipients: recipients, digestHour }, userActor(user)),
  )
  return showSettings(c, user, { notice: 'Saved.' })
})
