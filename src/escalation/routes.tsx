import { Hono, type Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { userActor } from '../audit/audit.ts'
import type { SessionUser } from '../auth/sessions.ts'
import { severities } from '../cases/terms.ts'
import { withOrg } from '../db.ts'
import { loadNotificationSettings } from '../digest/settings.ts'
import type { AppEnv } from '../http/app-env.ts'
import { formText, textFields } from '../http/forms.ts'
import { render } from '../http/htmx.ts'
import { requireRole } from '../http/session.ts'
import { listExecutives } from '../orgs/executives.ts'
import { LinkNotice } from '../../views/pages/approval-link.tsx'
import { EscalationAckDone, EscalationAckPage } from '../../views/pages/escalation-ack.tsx'
import { EscalationSettingsPage } from '../../views/pages/escalation-settings.tsx'
import { acknowledgeEscalation, readAckLink, type AckProblem } from './ack.ts'
import { loadEscalationPolicies, MAX_STEP_MINUTES, updateEscalationPolicies, type EscalationPolicies } from './policy.ts'

/** /admin/escalation: the org's escalation chain per severity (admins). */
export const escalationSettingsRoutes = new Hono<AppEnv>()

async function showSettings(
  c: Context<AppEnv>,
  user: SessionUser,
  extra: { errors?: Record<string, string>; values?: Record<string, string>; notice?: string } = {},
  status: 200 | 422 = 200,
) {
  const { db } = c.get('deps')
  const page = await withOrg(db, user.orgId, async (tx) => {
    const accounts = await tx<{ email: string }[]>`select email from app_users where disabled_at is null`
    return {
      policies: await loadEscalationPolicies(tx),
      executives: (await listExecutives(tx)).map((e) => ({ ...e, hasAccount: accounts.some((a) => a.email === e.email) })),
      atRiskAlertsOn: (await loadNotificationSettings(tx, user.orgId)).alert_at_risk,
    }
  })
  return render(c, <EscalationSettingsPage {...page} {...extra} />, status)
}

/** The posted table as policies, or the fields that are wrong. */
export function parsePolicyForm(
  form: Record<string, string>,
): { ok: true; policies: EscalationPolicies } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {}
  const minutes = (name: string): number | null => {
    const typed = formText(form, name).trim()
    if (typed === '') return null
    if (!/^\d+$/.test(typed) || Number(typed) > MAX_STEP_MINUTES) {
      errors[name] = `Minutes from 0 to ${MAX_STEP_MINUTES}, or empty for off.`
      return null
    }
    return Number(typed)
  }
  const entries = severities.map((sev) => [
    sev,
    {
      atRisk: form[`${sev}.at_risk`] === 'on',
      cadence: form[`${sev}.cadence`] === 'on',
      approversAfterMinutes: minutes(`${sev}.approvers`),
      executivesAfterMinutes: minutes(`${sev}.executives`),
    },
  ])
  if (Object.keys(errors).length) return { ok: false, errors }
  return { ok: true, policies: Object.fromEntries(entries) as EscalationPolicies }
}

escalationSettingsRoutes.get('/', async (c) => showSettings(c, requireRole(c, 'admin')))

escalationSettingsRoutes.post('/', async (c) => {
  const user = requireRole(c, 'admin')
  const form = await textFields(c)
  const parsed = parsePolicyForm(form)
  if (!parsed.ok) return showSettings(c, user, { errors: { form: 'Nothing was saved; see below.', ...parsed.errors }, values: form }, 422)
  const { db } = c.get('deps')
  await withOrg(db, user.orgId, (tx) => updateEscalationPolicies(tx, user.orgId, parsed.policies, userActor(user)))
  return showSettings(c, user, { notice: 'Saved.' })
})

/** /escalation/ack: the "I'm on it" link of an escalation mail (public: the signed link is the credential). */
export const escalationAckRoutes = new Hono<AppEnv>()

const problems: Record<AckProblem['reason'], { title: string; message: string; status: ContentfulStatusCode }> = {
  invalid: {
    title: 'This link is not valid',
    message: 'It may be incomplete or altered. Sign in to the desk to take the case.',
    status: 400,
  },
  expired: {
    title: 'This link has expired',
    message: 'Escalation links work for 24 hours. Sign in to the desk to take the case.',
    status: 410,
  },
  used: { title: 'This link was already used', message: 'It works once. Sign in to the desk to see who has the case.', status: 410 },
}

const problemPage = (c: Context<AppEnv>, reason: AckProblem['reason']) =>
  render(
    c,
    <LinkNotice title={problems[reason].title} message={problems[reason].message} link={{ href: '/sign-in', text: 'Sign in' }} />,
    problems[reason].status,
  )

escalationAckRoutes.get('/escalation/ack', async (c) => {
  const { db, env } = c.get('deps')
  const link = await readAckLink(db, env, c.req.query('token') ?? '')
  if (!link.ok) return problemPage(c, link.reason)
  return render(c, <EscalationAckPage link={link} />)
})

escalationAckRoutes.post('/escalation/ack', async (c) => {
  const { db, env } = c.get('deps')
  const link = await readAckLink(db, env, formText(await c.req.parseBody(), 'token'))
  if (!link.ok) return problemPage(c, link.reason)
  if (link.acked) return render(c, <EscalationAckDone link={link} by={link.acked} mine={false} />, 409)
  const result = await acknowledgeEscalation(db, link)
  if (!result.ok)
    return result.reason === 'used' ? problemPage(c, 'used') : render(c, <EscalationAckDone link={link} by={result.by} mine={false} />, 409)
  return render(c, <EscalationAckDone link={link} by={{ name: link.user.name, at: new Date() }} mine />)
})
