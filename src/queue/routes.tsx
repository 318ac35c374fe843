import { Hono, type Context } from 'hono'
import { isSeverity, isSource } from '../cases/terms.ts'
import { countOpenByClock, listQueue, type QueueFilter } from './queries.ts'
import { withOrg } from '../db.ts'
import { requireUser } from '../http/session.ts'
import type { AppEnv } from '../http/app-env.ts'
import { QueueBody, QueuePage, type QueueProps } from '../../views/pages/queue.tsx'
import { render } from '../http/htmx.ts'
import { AppError, notFound } from '../http/errors.ts'
import { textFields } from '../http/forms.ts'
import { isUuid } from '../http/ids.ts'
import { deleteView, listSavedViews, saveView, saveViewSchema } from './saved-views.ts'

export const queueRoutes = new Hono<AppEnv>()

const viewNames = new Set(['all', 'mine', 'unowned', 'awaiting_approval', 'at_risk'])

/** Filters from the query string; anything unknown is ignored rather than an error. */
function readFilter(c: Context<AppEnv>, userId: string): { filter: QueueFilter; query: string } {
  const q = c.req.query()
  const filter: QueueFilter = {
    view: viewNames.has(q.view ?? '') ? (q.view as QueueFilter['view']) : 'all',
    source: isSource(q.source) ? q.source : null,
    severity: isSeverity(q.severity) ? q.severity : null,
    search: (q.q ?? '').trim().slice(0, 200) || null,
    userId,
  }
  const params = new URLSearchParams()
  if (filter.view !== 'all') params.set('view', filter.view!)
  if (filter.source) params.set('source', filter.source)
  if (filter.severity) params.set('severity', filter.severity)
  if (filter.search) params.set('q', filter.search)
  const query = params.size ? `?${params}` : ''
  return { filter, query }
}

// The signed-in user's org only: withOrg + RLS, the org comes from the session, never the URL.
async function queueProps(c: Context<AppEnv>): Promise<QueueProps> {
  const user = requireUser(c)
  const { filter, query } = readFilter(c, user.id)
  // The three reads go out together (postgres.js pipelines them on the transaction's connection):
  // one round trip's wait instead of three.
  const [rows, counts, savedViews] = await withOrg(c.get('deps').db, user.orgId, (tx) =>
    Promise.all([listQueue(tx, filter), countOpenByClock(tx), listSavedViews(tx, user.id)]),
  )
  return { rows, counts, filter, query, now: new Date(), savedViews, canShare: user.role === 'approver' || user.role === 'admin' }
}

queueRoutes.get('/', async (c) => render(c, <QueuePage {...await queueProps(c)} />))
queueRoutes.get('/queue/rows', async (c) => render(c, <QueueBody {...await queueProps(c)} />))

// Saved views (sql/00026): the current filter under a name, then back to it.
queueRoutes.post('/views', async (c) => {
  const user = requireUser(c)
  const parsed = saveViewSchema.safeParse(await textFields(c))
  if (!parsed.success) throw new AppError('BAD_INPUT', parsed.error.issues[0]?.message ?? 'Name the view.')
  await withOrg(c.get('deps').db, user.orgId, (tx) => saveView(tx, user, parsed.data))
  return c.redirect(parsed.data.query ? `/?${parsed.data.query}` : '/', 303)
})

queueRoutes.post('/views/:id/delete', async (c) => {
  const user = requireUser(c)
  const id = c.req.param('id')
  if (!isUuid(id)) throw notFound('That view')
  await withOrg(c.get('deps').db, user.orgId, (tx) => deleteView(tx, user, id))
  return c.redirect('/', 303)
})
