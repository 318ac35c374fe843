import { Hono, type Context } from 'hono'
import { userActor } from '../audit/audit.ts'
import type { AppEnv } from '../http/app-env.ts'
import { notFound } from '../http/errors.ts'
import { pageOrFragment } from '../http/htmx.ts'
import { isUuid } from '../http/ids.ts'
import { requireRole } from '../http/session.ts'
import { QuarantineBody, QuarantinePage } from '../../views/pages/quarantine.tsx'
import { downloadHeld, listForAdmin, markHeldNotEscalation, reprocessHeld } from './quarantine.ts'

/** /admin/quarantine: stored mail that did not become a case, and what an admin can do with it. */
export const quarantineRoutes = new Hono<AppEnv>()

function heldId(c: Context<AppEnv>): string {
  const id = c.req.param('id') ?? ''
  if (!isUuid(id)) throw notFound('That message')
  return id
}

async function show(c: Context<AppEnv>, orgId: string, flash: { notice?: string; error?: string } = {}, status: 200 | 422 = 200) {
  const view = { ...(await listForAdmin(c.get('deps').db, orgId)), ...flash }
  return pageOrFragment(c, <QuarantinePage {...view} />, <QuarantineBody {...view} />, status)
}

quarantineRoutes.get('/', async (c) => {
  const user = requireRole(c, 'admin')
  return show(c, user.orgId)
})

quarantineRoutes.get('/:id/raw.eml', async (c) => {
  const user = requireRole(c, 'admin')
  const result = await downloadHeld(c.get('deps').db, user.orgId, heldId(c), userActor(user))
  if (!result.ok) throw notFound('That message')
  // An attachment, never rendered: the bytes are whatever the sender chose, HTML included.
  return c.body(new Uint8Array(result.value.bytes), 200, {
    'content-type': 'message/rfc822',
    'content-disposition': `attachment; filename="${result.value.message.id}.eml"`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
  })
})

quarantineRoutes.post('/:id/reprocess', async (c) => {
  const user = requireRole(c, 'admin')
  const { db, analyze } = c.get('deps')
  const result = await reprocessHeld(db, user.orgId, heldId(c), userActor(user), analyze)
  if (!result.ok && result.reason === 'not_found') throw notFound('That message')
  if (!result.ok) return show(c, user.orgId, { error: `Not reprocessed: ${result.message}.` }, 422)
  const outcome = result.value.outcome
  const notice =
    outcome.status === 'quarantined'
      ? `Processed again, and quarantined again: ${outcome.reason}`
      : `Processed again: ${outcome.status}${outcome.case ? ` (${outcome.case})` : ''}.`
  return show(c, user.orgId, { notice })
})

quarantineRoutes.post('/:id/not-escalation', async (c) => {
  const user = requireRole(c, 'admin')
  const form = await c.req.parseBody()
  const note = typeof form.note === 'string' ? form.note.trim() : ''
  const result = await markHeldNotEscalation(c.get('deps').db, user.orgId, heldId(c), userActor(user), note)
  if (!result.ok) throw notFound('That message')
  return show(c, user.orgId, { notice: `Kept as not an escalation: “${result.value.subject}”. It creates no case.` })
})
