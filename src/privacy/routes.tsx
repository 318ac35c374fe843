import { Hono, type Context } from 'hono'
import { userActor } from '../audit/audit.ts'
import type { AppEnv } from '../http/app-env.ts'
import { textFields } from '../http/forms.ts'
import { render } from '../http/htmx.ts'
import { SHOWN_ONCE_HEADER } from '../http/idempotency.ts'
import { requireRole } from '../http/session.ts'
import { getRetentionMonths, retentionChoices, setRetentionMonths } from '../retention/retention.ts'
import { PrivacyPage } from '../../views/pages/privacy.tsx'
import { erasePerson } from './erase.ts'
import { exportPerson } from './export.ts'

/** /admin/privacy: retention (admins, audited), erasure of a person, and their export. */
export const privacyRoutes = new Hono<AppEnv>()

privacyRoutes.use(async (c, next) => {
  requireRole(c, 'admin')
  await next()
})

type PageProps = Omit<Parameters<typeof PrivacyPage>[0], 'retentionMonths'>

async function page(c: Context<AppEnv>, props: PageProps = {}, status: 200 | 422 = 200) {
  const admin = requireRole(c, 'admin')
  const retentionMonths = await getRetentionMonths(c.get('deps').db, admin.orgId)
  return render(c, <PrivacyPage retentionMonths={retentionMonths} {...props} />, status)
}

privacyRoutes.get('/', (c) => page(c, { notice: c.req.query('saved') ? 'Retention saved.' : null }))

privacyRoutes.post('/retention', async (c) => {
  const admin = requireRole(c, 'admin')
  const { months = '' } = await textFields(c)
  const value = months === '' ? null : Number(months)
  if (value !== null && !(retentionChoices as readonly number[]).includes(value))
    return page(c, { error: 'Choose one of the periods listed.' }, 422)
  await setRetentionMonths(c.get('deps').db, admin.orgId, userActor(admin), value)
  return c.redirect('/admin/privacy?saved=1', 303)
})

// The preview changes nothing; it is a POST so the address stays out of URLs and logs.
privacyRoutes.post('/erase/preview', async (c) => {
  const admin = requireRole(c, 'admin')
  const { email = '' } = await textFields(c)
  const outcome = await erasePerson(c.get('deps').db, admin.orgId, admin.id, email, true)
  if (!outcome.ok) return page(c, { error: outcome.problem }, 422)
  return page(c, { preview: { email: outcome.email, counts: outcome.counts } })
})

privacyRoutes.post('/erase', async (c) => {
  const admin = requireRole(c, 'admin')
  const { email = '', confirm = '' } = await textFields(c)
  if (email.trim().toLowerCase() !== confirm.trim().toLowerCase())
    return page(c, { error: 'The address typed to confirm is not the same.' }, 422)
  const outcome = await erasePerson(c.get('deps').db, admin.orgId, admin.id, email, false)
  if (!outcome.ok) return page(c, { error: outcome.problem }, 422)
  // Answered here: the double-submit guard must not keep the address in its stored answer.
  c.header(SHOWN_ONCE_HEADER, '1')
  return page(c, { erased: { email: outcome.email, counts: outcome.counts } })
})

privacyRoutes.post('/export', async (c) => {
  const admin = requireRole(c, 'admin')
  const { email = '' } = await textFields(c)
  const result = await exportPerson(c.get('deps').db, admin.orgId, userActor(admin), email)
  if ('problem' in result) return page(c, { error: result.problem }, 422)
  // Personal data: never kept by the double-submit guard, never cached.
  c.header(SHOWN_ONCE_HEADER, '1')
  c.header('cache-control', 'no-store')
  c.header('content-type', 'application/zip')
  c.header('content-disposition', `attachment; filename="${result.fileName}"`)
  return c.body(result.zip as Uint8Array<ArrayBuffer>)
})
