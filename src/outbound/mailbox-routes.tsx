import { Hono } from 'hono'
import { z } from 'zod'
import type { AppDeps, AppEnv } from '../app.ts'
import { notFound } from '../http/errors.ts'
import { findHeldMail, listHeldMail } from '../owner-queries.ts'
import { HeldMailPage, MailboxPage } from '../../views/mailbox.tsx'

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])

/**
 * The dev mailbox holds live sign-in links, so it is served only to the developer's own machine:
 * the dev mailer is active, the desk listens on loopback, and its public URL is local too (a
 * proxy in front means a public URL, and the page disappears). Elsewhere: `desk mailbox`.
 */
export function devMailboxOpen(deps: Pick<AppDeps, 'mailer' | 'env'>): boolean {
  return deps.mailer.kind === 'dev' && loopbackHosts.has(deps.env.HOST) && loopbackHosts.has(new URL(deps.env.PUBLIC_URL).hostname)
}

export const mailboxRoutes = new Hono<AppEnv>()

mailboxRoutes.use(async (c, next) => {
  if (!devMailboxOpen(c.get('deps'))) throw notFound()
  c.header('cache-control', 'no-store')
  await next()
})

mailboxRoutes.get('/', async (c) => {
  const mail = await listHeldMail(c.get('deps').db)
  return c.html(<MailboxPage mail={mail} nonce={c.get('secureHeadersNonce')} />)
})

mailboxRoutes.get('/:id', async (c) => {
  const id = z.uuid().safeParse(c.req.param('id'))
  const mail = id.success ? await findHeldMail(c.get('deps').db, id.data) : undefined
  if (!mail) throw notFound('That message')
  return c.html(<HeldMailPage mail={mail} nonce={c.get('secureHeadersNonce')} />)
})
