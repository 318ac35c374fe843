import { Hono, type Context } from 'hono'
import { z } from 'zod'
import { caseLabel } from '../cases/terms.ts'
import { withOrg, type Db } from '../db.ts'
import type { Env } from '../env.ts'
import type { AppEnv } from '../http/app-env.ts'
import { notFound } from '../http/errors.ts'
import { fieldErrors, formList, formText } from '../http/forms.ts'
import { render } from '../http/htmx.ts'
import { SHOWN_ONCE_HEADER } from '../http/idempotency.ts'
import { requireRole } from '../http/session.ts'
import { openSecret, secretHint, UnsealError } from '../secrets/sealed.ts'
import { WebhookDeliveriesPage } from '../../views/pages/webhook-deliveries.tsx'
import { WebhooksPage, type EndpointForm, type EndpointView } from '../../views/pages/webhooks.tsx'
import { addEndpoint, removeEndpoint, replayDelivery, sendTestEvent, setEnabled } from './endpoints.ts'
import { getEndpoint, listAttempts, listDeliveries, listEndpoints, type Endpoint } from './queries.ts'
import { webhookEventTypes } from './sink.ts'

/** /admin/webhooks: an organization's endpoints, their delivery logs, replay and test (admins). */
export const webhookRoutes = new Hono<AppEnv>()

const loopback = new Set(['localhost', '127.0.0.1', '[::1]'])

/** Why a URL cannot be an endpoint, or null. One check: a URL that does not parse is asked nothing more. */
function urlProblem(value: string): string | null {
  if (!URL.canParse(value)) return 'Enter the full URL, starting with https://.'
  const url = new URL(value)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback.has(url.hostname)))
    return 'Use an https:// URL (plain http:// only to this machine).'
  if (url.username || url.password) return 'Leave credentials out of the URL.'
  return null
}

const endpointSchema = z.object({
  url: z
    .string()
    .trim()
    .max(2000, 'Keep the URL under 2,000 characters.')
    .superRefine((v, ctx) => {
      const problem = urlProblem(v)
      if (problem) ctx.addIssue({ code: 'custom', message: problem })
    }),
  description: z.string().trim().max(200, 'Keep the description under 200 characters.').default(''),
  events: z.array(z.enum(webhookEventTypes)).min(1, 'Choose at least one event.'),
})

const hintOf = async (db: Db, env: Env, orgId: string, sealed: string) => {
  try {
    return secretHint(await openSecret(db, env, orgId, sealed))
  } catch (error) {
    if (error instanceof UnsealError) return 'cannot be opened (SECRETS_KEY changed): delete and add the endpoint again'
    throw error
  }
}

async function endpointViews(db: Db, env: Env, orgId: string, endpoints: Endpoint[]): Promise<EndpointView[]> {
  return Promise.all(endpoints.map(async ({ secretSealed, ...e }) => ({ ...e, secretHint: await hintOf(db, env, orgId, secretSealed) })))
}

async function renderList(
  c: Context<AppEnv>,
  orgId: string,
  extra: Partial<Parameters<typeof WebhooksPage>[0]> = {},
  status: 200 | 422 = 200,
) {
  const { db, env } = c.get('deps')
  const endpoints = await withOrg(db, orgId, (tx) => listEndpoints(tx))
  const views = await endpointViews(db, env, orgId, endpoints)
  return render(c, <WebhooksPage endpoints={views} eventTypes={webhookEventTypes} {...extra} />, status)
}

const notices = new Map(
  Object.entries({
    disabled: 'Disabled: it receives nothing until enabled again.',
    enabled: 'Enabled.',
    deleted: 'Deleted, with its delivery log.',
    tested: 'A webhook.test delivery is queued; its attempt shows in the log.',
    replayed: 'Replay queued: the same payload and webhook-id, signed afresh.',
  }),
)
const problems = new Map(
  Object.entries({
    pending: 'That delivery is still queued or retrying: it cannot be replayed until it finishes.',
    disabled: 'Enable the endpoint first.',
  }),
)

webhookRoutes.get('/', async (c) => {
  const user = requireRole(c, 'admin')
  return renderList(c, user.orgId, { notice: notices.get(c.req.query('done') ?? '') })
})

webhookRoutes.post('/', async (c) => {
  const user = requireRole(c, 'admin')
  const body = await c.req.parseBody({ all: true })
  const form: EndpointForm = { url: formText(body, 'url'), description: formText(body, 'description'), events: formList(body.events) }
  const parsed = endpointSchema.safeParse(form)
  if (!parsed.success) return renderList(c, user.orgId, { form, errors: fieldErrors(parsed.error) }, 422)
  const { db, env } = c.get('deps')
  const input = { url: parsed.data.url, description: parsed.data.description, eventTypes: parsed.data.events }
  const created = await addEndpoint(db, env, user.orgId, user, input)
  // The secret is in the clear in this one answer: the double-submit guard must not keep it.
  c.header(SHOWN_ONCE_HEADER, '1')
  return renderList(c, user.orgId, { created, notice: 'Endpoint added.' })
})

const endpointActions = { disable: 'disabled', enable: 'enabled', delete: 'deleted', test: 'tested' } as const

// One route per action (not a :action pattern), so every route walker sees a plain path.
for (const [action, done] of Object.entries(endpointActions) as [keyof typeof endpointActions, string][]) {
  webhookRoutes.post(`/:id/${action}`, async (c) => {
    const user = requireRole(c, 'admin')
    const id = c.req.param('id')
    if (!z.uuid().safeParse(id).success) throw notFound('That endpoint')
    const acted = await withOrg(c.get('deps').db, user.orgId, async (tx) => {
      if (action === 'delete') return removeEndpoint(tx, user.orgId, user, id)
      if (action === 'test') return (await sendTestEvent(tx, user.orgId, user, id)) !== null
      return setEnabled(tx, user.orgId, user, id, action === 'enable')
    })
    if (!acted) throw notFound('That endpoint')
    return c.redirect(action === 'test' ? `/admin/webhooks/${id}?done=${done}` : `/admin/webhooks?done=${done}`, 303)
  })
}

webhookRoutes.get('/:id', async (c) => {
  const user = requireRole(c, 'admin')
  const id = c.req.param('id')
  if (!z.uuid().safeParse(id).success) throw notFound('That endpoint')
  const { db, env } = c.get('deps')
  const found = await withOrg(db, user.orgId, async (tx) => {
    const endpoint = await getEndpoint(tx, id)
    if (!endpoint) return null
    const deliveries = await listDeliveries(tx, id)
    const attempts = await listAttempts(
      tx,
      deliveries.map((d) => d.id),
    )
    const caseIds = deliveries.map((d) => d.caseId).filter((v): v is string => v !== null)
    const numbers = caseIds.length
      ? await tx<{ id: string; number: number }[]>`select id, number from cases where id = any(${caseIds}::uuid[])`
      : []
    return { endpoint, deliveries, attempts, numbers: new Map(numbers.map((n) => [n.id, n.number])) }
  })
  if (!found) throw notFound('That endpoint')
  const [endpoint] = await endpointViews(db, env, user.orgId, [found.endpoint])
  const deliveries = found.deliveries.map((d) => {
    const number = d.caseId ? found.numbers.get(d.caseId) : undefined
    return {
      ...d,
      caseLabel: number === undefined ? null : caseLabel(number),
      attemptLog: found.attempts.filter((a) => a.deliveryId === d.id),
    }
  })
  const done = c.req.query('done') ?? ''
  return render(
    c,
    <WebhookDeliveriesPage endpoint={endpoint!} deliveries={deliveries} notice={notices.get(done)} error={problems.get(done)} />,
  )
})

webhookRoutes.post('/:id/deliveries/:deliveryId/replay', async (c) => {
  const user = requireRole(c, 'admin')
  const { id, deliveryId } = c.req.param()
  if (!z.uuid().safeParse(id).success || !z.uuid().safeParse(deliveryId).success) throw notFound('That delivery')
  const outcome = await withOrg(c.get('deps').db, user.orgId, (tx) => replayDelivery(tx, user.orgId, user, id, deliveryId))
  if (!outcome.ok && outcome.reason === 'not_found') throw notFound('That delivery')
  return c.redirect(`/admin/webhooks/${id}?done=${outcome.ok ? 'replayed' : outcome.reason}`, 303)
})
