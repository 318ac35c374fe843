// The rules of an organization's webhook endpoints: added with a generated signing secret (shown
// once, stored sealed), disabled, enabled, deleted, replayed and tested; each change audited, and
// the org's case-event subscription kept on exactly while an endpoint is enabled.
import { recordAudit, userActor } from '../audit/audit.ts'
import { withOrg, type Db, type Tx } from '../db.ts'
import type { Env } from '../env.ts'
import { setEventSubscription } from '../events/events.ts'
import { sealSecret } from '../secrets/sealed.ts'
import {
  anyEndpointEnabled,
  deleteEndpoint,
  getDelivery,
  getEndpoint,
  insertEndpoint,
  requeueDelivery,
  setEndpointEnabled,
} from './queries.ts'
import { queueDelivery, queueDeliveryJob, WEBHOOK_SINK } from './sink.ts'

type Admin = { id: string }

/** whsec_ and 24 random bytes in base64, the form Standard Webhooks libraries take. */
export function newSigningSecret(): string {
  return `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(24))))}`
}

/** Where an endpoint posts, as the audit trail names it: the host only (a path may hold a token). */
export const endpointHost = (url: string) => new URL(url).host

/**
 * Endpoint changes of one organization, one at a time: the subscription row follows "is any
 * endpoint enabled", which two concurrent changes could otherwise each read before the other.
 */
async function lockEndpoints(tx: Tx, orgId: string) {
  await tx`select pg_advisory_xact_lock(hashtextextended(${`webhooks:${orgId}`}, 0))`
}

async function syncSubscription(tx: Tx, orgId: string) {
  await setEventSubscription(tx, orgId, WEBHOOK_SINK, await anyEndpointEnabled(tx))
}

export type NewEndpoint = { url: string; description: string; eventTypes: string[] }

/** Adds an endpoint; the secret is returned to be shown this once. */
export async function addEndpoint(db: Db, env: Env, orgId: string, admin: Admin, input: NewEndpoint) {
  const secret = newSigningSecret()
  // Sealed before the transaction: the sealing key is read through the pool.
  const secretSealed = await sealSecret(db, env, orgId, secret)
  const id = await withOrg(db, orgId, async (tx) => {
    await lockEndpoints(tx, orgId)
    const id = await insertEndpoint(tx, orgId, { ...input, secretSealed, createdBy: admin.id })
    await recordAudit(tx, orgId, {
      actor: userActor(admin),
      action: 'webhook.create',
      details: { endpointId: id, host: endpointHost(input.url), events: input.eventTypes },
    })
    await syncSubscription(tx, orgId)
    return id
  })
  return { id, secret }
}

export async function setEnabled(tx: Tx, orgId: string, admin: Admin, endpointId: string, enabled: boolean): Promise<boolean> {
  await lockEndpoints(tx, orgId)
  if (!(await setEndpointEnabled(tx, endpointId, enabled))) return false
  await recordAudit(tx, orgId, { actor: userActor(admin), action: enabled ? 'webhook.enable' : 'webhook.disable', details: { endpointId } })
  await syncSubscription(tx, orgId)
  return true
}

export async function removeEndpoint(tx: Tx, orgId: string, admin: Admin, endpointId: string): Promise<boolean> {
  await lockEndpoints(tx, orgId)
  const endpoint = await getEndpoint(tx, endpointId)
  if (!endpoint || !(await deleteEndpoint(tx, endpointId))) return false
  await recordAudit(tx, orgId, {
    actor: userActor(admin),
    action: 'webhook.delete',
    details: { endpointId, host: endpointHost(endpoint.url) },
  })
  await syncSubscription(tx, orgId)
  return true
}

export type ReplayOutcome = { ok: true } | { ok: false; reason: 'not_found' | 'pending' | 'disabled' }

/** The same delivery again (same webhook-id and payload) as a fresh attempt, from its endpoint's log. */
export async function replayDelivery(tx: Tx, orgId: string, admin: Admin, endpointId: string, deliveryId: string): Promise<ReplayOutcome> {
  const endpoint = await getEndpoint(tx, endpointId)
  const delivery = endpoint ? await getDelivery(tx, endpointId, deliveryId) : undefined
  if (!endpoint || !delivery) return { ok: false, reason: 'not_found' }
  if (!endpoint.enabled) return { ok: false, reason: 'disabled' }
  // Still queued or retrying: a second job would post it twice at once.
  const [locked] = await tx<{ status: string }[]>`select status from webhook_deliveries where id = ${deliveryId} for update`
  if (locked?.status === 'pending') return { ok: false, reason: 'pending' }
  await requeueDelivery(tx, deliveryId)
  await queueDeliveryJob(tx, orgId, deliveryId)
  await recordAudit(tx, orgId, {
    actor: userActor(admin),
    action: 'webhook.replay',
    // The case in the details, not as the event's case: a replay is the endpoint's history, not the case's.
    details: { endpointId, deliveryId, event: delivery.eventType, caseId: delivery.caseId },
  })
  return { ok: true }
}

/** A webhook.test delivery to one endpoint, through the same queue, signature and log as events. */
export async function sendTestEvent(tx: Tx, orgId: string, admin: Admin, endpointId: string): Promise<string | null> {
  const endpoint = await getEndpoint(tx, endpointId)
  if (!endpoint?.enabled) return null
  const payload = { type: 'webhook.test', timestamp: new Date().toISOString(), data: { endpoint: { id: endpoint.id } } }
  const deliveryId = await queueDelivery(tx, orgId, { endpointId, eventType: 'webhook.test', caseId: null, payload })
  await recordAudit(tx, orgId, { actor: userActor(admin), action: 'webhook.test', details: { endpointId, deliveryId } })
  return deliveryId
}
