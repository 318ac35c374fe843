import { Hono, type Context } from 'hono'
import { isSeverity, isSource } from '../cases/terms.ts'
import { countOpenByClock, listQueue, type QueueFilter } from './queries.ts'
import { withOrg } from '../db.ts'
import { requireUser } from '../http/session.ts'
import type { AppEnv } from '../http/app-env.ts'
import { QueueBody, QueuePage, type QueueProps } from '../../views/pages/queue.tsx'
import { render } from '../http/htmx.ts'

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
  const { rows, counts } = await withOrg(c.get('deps').db, user.orgId, async (tx) => ({
    rows: await listQueue(tx, filter),
    counts: await countOpenByClock(tx),
  }))
  return { rows, counts, filter, query, now: new Date() }
}

queueRoutes.get('/', async (c) => render(c, <QueuePage {...await queueProps(c)} />))
queueRoutes.get('/queue/rows', async (c) => render(c, <QueueBody {...await queueProps(c)} />))
