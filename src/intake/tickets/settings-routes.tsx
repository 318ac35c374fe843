import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { severities } from '../../cases/terms.ts'
import { withOrg } from '../../db.ts'
import type { AppEnv } from '../../http/app-env.ts'
import { notFound } from '../../http/errors.ts'
import { textFields } from '../../http/forms.ts'
import { render } from '../../http/htmx.ts'
import { SHOWN_ONCE_HEADER } from '../../http/idempotency.ts'
import { requireRole } from '../../http/session.ts'
import type { SessionUser } from '../../auth/sessions.ts'
import { openSecret, secretHint, UnsealError } from '../../secrets/sealed.ts'
import { HelpdeskPage, type ConnectionView } from '../../../views/pages/webhooks-helpdesk.tsx'
import { listConnections, providerMakesSecret, removeConnection, saveConnection } from './connections.ts'
import { defaultPriorityMap, priorities, providerLabels, providers, type Provider } from './terms.ts'

/** /admin/helpdesk: which helpdesks may post escalated tickets, their secrets and priority maps (admins). */
export const helpdeskSettingsRoutes = new Hono<AppEnv>()

const connectionSchema = z.object({
  provider: z.enum(providers),
  secret: z.string().trim().max(200, 'Keep the secret under 200 characters.').default(''),
  map_urgent: z.enum(severities),
  map_high: z.enum(severities),
  map_normal: z.enum(severities),
  map_low: z.enum(severities),
})

type PageExtra = Partial<Pick<Parameters<typeof HelpdeskPage>[0], 'errors' | 'notice' | 'generated'>>

async function renderPage(c: Context<AppEnv>, user: SessionUser, extra: PageExtra = {}, status: 200 | 422 = 200) {
  const { db, env } = c.get('deps')
  const connections = await withOrg(db, user.orgId, (tx) => listConnections(tx))
  // Opened outside the transaction: the sealing key is read through the pool.
  const views: ConnectionView[] = await Promise.all(
    connections.map(async ({ secretSealed, ...rest }) => ({
      ...rest,
      secretHint: await openSecret(db, env, user.orgId, secretSealed).then(secretHint, (error: unknown) => {
        if (error instanceof UnsealError) return 'cannot be opened (SECRETS_KEY changed): enter it again'
        throw error
      }),
    })),
  )
  const base = env.PUBLIC_URL.replace(/\/+$/, '')
  const ticketUrl = (provider: Provider) => `${base}/inbound/ticket?org=${encodeURIComponent(user.orgSlug)}&provider=${provider}`
  return render(c, <HelpdeskPage connections={views} ticketUrl={ticketUrl} defaults={defaultPriorityMap} {...extra} />, status)
}

helpdeskSettingsRoutes.get('/', async (c) => {
  const user = requireRole(c, 'admin')
  const done = c.req.query('done')
  return renderPage(c, user, { notice: done === 'disconnected' ? 'Disconnected: its posts are refused from now on.' : undefined })
})

helpdeskSettingsRoutes.post('/', async (c) => {
  const user = requireRole(c, 'admin')
  const parsed = connectionSchema.safeParse(await textFields(c))
  if (!parsed.success) return renderPage(c, user, { errors: { form: 'Choose a helpdesk and a severity for each priority.' } }, 422)
  const { provider, secret } = parsed.data
  const { db, env } = c.get('deps')
  const connected = (await withOrg(db, user.orgId, (tx) => listConnections(tx))).some((x) => x.provider === provider)
  if (!secret && !connected && providerMakesSecret(provider)) {
    const errors = { provider, secret: `Enter the secret ${providerLabels[provider]} shows you.` }
    return renderPage(c, user, { errors }, 422)
  }
  const priorityMap = Object.fromEntries(priorities.map((p) => [p, parsed.data[`map_${p}`]])) as typeof defaultPriorityMap
  const saved = await saveConnection(db, env, user.orgId, user, { provider, secret, priorityMap })
  // A generated secret is in the clear in this one answer: the double-submit guard must not keep it.
  if (saved.secret) c.header(SHOWN_ONCE_HEADER, '1')
  return renderPage(c, user, {
    notice: `${providerLabels[provider]} ${connected ? 'saved' : 'connected'}.`,
    generated: saved.secret ? { provider, secret: saved.secret } : undefined,
  })
})

helpdeskSettingsRoutes.post('/:provider/delete', async (c) => {
  const user = requireRole(c, 'admin')
  const provider = z.enum(providers).safeParse(c.req.param('provider'))
  if (!provider.success) throw notFound('That connection')
  const removed = await withOrg(c.get('deps').db, user.orgId, (tx) => removeConnection(tx, user.orgId, user, provider.data))
  if (!removed) throw notFound('That connection')
  return c.redirect('/admin/helpdesk?done=disconnected', 303)
})
