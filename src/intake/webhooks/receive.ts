import type { Db } from '../../db.ts'
import { findOrgBySlug } from '../../orgs/queries.ts'
import type { Analyzer } from '../analyze.ts'
import type { ModelEnv } from '../model.ts'
import { describeUnusableInput, ingestMessage } from '../intake.ts'
import { findOrgByRecipient, headerRecipients, storeQuarantined } from '../routing.ts'

/** What the provider told us about the delivery; `to` are envelope recipients, used for routing. */
export type Envelope = { from?: string | null; to?: string[] } & Record<string, unknown>

export type Delivered = {
  status: 'created' | 'threaded' | 'duplicate' | 'not_escalation' | 'quarantined'
  case: string | null
  reason?: string
  rawId: string | null
}

/** The public answer of every way in (README, "Receiving mail"): no internal ids. */
export const publicOutcome = (d: { status: string; case: string | null; reason?: string }) => ({
  status: d.status,
  case: d.case,
  ...(d.reason ? { reason: d.reason } : {}),
})

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/**
 * What a provider tells us (envelope addresses, ?org=) goes into routing queries and a jsonb
 * column, and PostgreSQL refuses NUL in both and a lone surrogate in jsonb: such a delivery was
 * a 500, retried forever (test/attack/webhooks.test.ts). Neither character means anything here.
 */
function storable<T>(value: T): T {
  if (typeof value === 'string') return value.replaceAll('\0', '').replace(loneSurrogate, '\ufffd') as T
  if (Array.isArray(value)) return value.map(storable) as T
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [storable(k), storable(v)])) as T
  return value
}

/**
 * Every way in (webhooks, SMTP) reduces to this: pick the org, then hand the raw bytes to intake.
 * The org is `?org=SLUG` when the sender names it, else the org owning a recipient address.
 * Anything that cannot be routed or is not an email is stored quarantined, never dropped.
 *
 * Routing lives here only until intake routes by recipient itself (its orgId becoming optional);
 * then the no-slug branch becomes a plain `ingestMessage` call without orgId.
 */
export async function receiveMail(
  db: Db,
  input: { orgSlug?: string; raw: Uint8Array; provider: string; envelope?: Envelope; analyze?: Analyzer; env?: ModelEnv },
): Promise<Delivered> {
  const { raw, provider } = input
  const envelope = storable(input.envelope)
  const orgSlug = storable(input.orgSlug)
  let orgId: string | null = null
  let unrouted = ''
  if (orgSlug !== undefined) {
    orgId = (await findOrgBySlug(db, orgSlug))?.id ?? null
    if (!orgId) unrouted = `no organization with slug "${orgSlug}"`
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
  const outcome: { status: Delivered['status']; case: string | null; reason?: string; rawId?: string } = await ingestMessage(db, {
    orgId,
    raw,
    provider,
    envelope,
    analyze: input.analyze,
    env: input.env,
  })
  return { status: outcome.status, case: outcome.case, reason: outcome.reason, rawId: outcome.rawId ?? null }
}
