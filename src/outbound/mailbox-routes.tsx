import { Hono, type Context } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../http/app-env.ts'
import { notFound } from '../http/errors.ts'
import { isLoopbackName, requestedHostname } from '../http/host-check.ts'
import { clientAddress } from '../http/security.ts'
import { findHeldMail, listHeldMail } from '../owner-queries.ts'
import { HeldMailPage, MailboxPage } from '../../views/pages/mailbox.tsx'
import { render } from '../http/htmx.ts'

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '::1', '[::1]'])
const loopbackPeer = /^(?:127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/

/**
 * The dev mailbox holds live sign-in links, so it is served only to the developer's own machine:
 * the dev mailer is active, the desk listens on loopback, and its public URL is local too (a
 * proxy in front means a public URL, and the page disappears). Elsewhere: `desk mailbox`. The
 * request must say the same: asked for by a loopback name (not a rebound one), and from this
 * machine when the socket is known (a request relayed from elsewhere is not the developer's).
 */
export function devMailboxOpen(c: Context<AppEnv>): boolean {
  const { mailer, env } = c.get('deps')
  if (mailer.kind !== 'dev' || !loopbackHosts.has(env.HOST) || !loopbackHosts.has(new URL(env.PUBLIC_URL).hostname)) return false
  const name = requestedHostname(c, false)
  const peer = clientAddress(c, false)
  return name !== null && isLoopbackName(name) && (peer === null || loopbackPeer.test(peer))
}

export const mailboxRoutes = new Hono<AppEnv>()

mailboxRoutes.use(async (c, next) => {
  if (!devMailboxOpen(c)) throw notFound()
  c.header('cache-control', 'no-store')
  await next()
})

mailboxRoutes.get('/', async (c) => {
  const mail = await listHeldMail(c.get('deps').db)
  return render(c, <MailboxPage mail={mail} />)
})

mailboxRoutes.get('/:id', async (c) => {
  const id = z.uuid().safeParse(c.req.param('id'))
  const mail = id.success ? await findHeldMail(c.get('deps').db, id.data) : undefined
  if (!mail) throw notFound('That message')
  return render(c, <HeldMailPage mail={mail} />)
})
