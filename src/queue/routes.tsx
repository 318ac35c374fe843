import { Hono } from 'hono'
import { listQueue } from '../cases/queries.ts'
import { withOrg } from '../db.ts'
import { AppError } from '../http/errors.ts'
import { findOrgBySlug } from '../orgs/queries.ts'
import type { AppEnv } from '../app.ts'
import { QueuePage } from '../../views/queue.tsx'

export const queueRoutes = new Hono<AppEnv>()

// Until sign-in lands, the queue is readable only on a loopback-bound desk with the embedded
// database (a developer's own machine); createApp decides that and passes `localDemoOrg`.
queueRoutes.get('/', async (c) => {
  const { db, localDemoOrg } = c.get('deps')
  if (!localDemoOrg) {
    throw new AppError('UNAUTHORIZED', 'Sign-in is required. (The open queue is only served on 127.0.0.1 with the embedded database.)')
  }
  const org = await findOrgBySlug(db, localDemoOrg)
  if (!org) throw new AppError('NOT_FOUND', `The organization "${localDemoOrg}" does not exist.`)
  const rows = await withOrg(db, org.id, (tx) => listQueue(tx))
  return c.html(<QueuePage orgName={org.name} rows={rows} nonce={c.get('secureHeadersNonce')} />)
})
