import type { Db } from '../../db.ts'
import { findOrgBySlug } from '../../orgs/queries.ts'
import { describeUnusableInput, ingestMessage } from '../intake.ts'
import { findOrgByRecipient, headerRecipients, storeQuarantined } from '../routing.ts'

/** What the provider told us about the delivery; `to` are envelope recipients, used for routing. */
export type Envelope = { from?: string | null; to?: string[] } & Record<string, unknown>

export type Delivered = {
  status: 'created' | 'threaded' | 'duplicate' | 'quarantined'
  case: string | null
  reason?: string
  rawId: string | null
}

/** The public answer of every way in (DESIGN.md: `POST /inbound/raw`): no internal ids. */
export const publicOutcome = (d: { status: string; case: string | null; reason?: string }) =>
  ({ status: d.status, case: d.case, ...(d.reason ? { reason: d.reason } : {}) })

/**
 * Every way in (webhooks, SMTP) reduces to this: pick the org, then hand the raw bytes to intake.
 * The org is `?org=SLUG` when the sender names it, else the org owning a recipient address.
 * Anything that cannot be routed or is not an email is stored quarantined, never dropped.
 *
 * Routing lives here only until intake routes by recipient itself (its orgId becoming optional);
 * then the no-slug branch becomes a plain `ingestMessage` call without orgId.
 */
export async function deliver(
  db: Db,
  input: { orgSlug?: string; raw: Uint8Array; provider: string; envelope?: Envelope },
): Promise<Delivered> {
  const { raw, provider, envelope } = input
  let orgId: string | null = null
  let unrouted = ''
  if (input.orgSlug !== undefined) {
    orgId = (await findOrgBySlug(db, input.orgSlug))?.id ?? null
    if (!orgId) unrouted = `no organization with slug "${input.orgSlug}"`
  } else {
    const recipients = [...(envelope?.to ?? []), ...headerRecipients(raw)]
    orgId = (await findOrgByRecipient(db, recipients))?.id ?? null
    if (!orgId) {
      const shown = [...new Set(recipients.map((r) => r.toLowerCase()))].slice(0, 5).join(', ')
      unrouted = shown ? `no organization receives mail at ${shown}` : 'no recipient address to route by'
    }
  }

  const problem = describeUnusableInput(raw)
  if (problem || !orgId) {
    return storeQuarantined(db, { orgId, raw, provider, envelope, reason: problem ?? unrouted })
  }
  const outcome: { status: Delivered['status']; case: string | null; reason?: string; rawId?: string } =
    await ingestMessage(db, { orgId, raw, provider, envelope })
  return { status: outcome.status, case: outcome.case, reason: outcome.reason, rawId: outcome.rawId ?? null }
}
