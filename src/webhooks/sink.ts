// Outgoing webhooks as a case-event sink: each event becomes one delivery per enabled endpoint
// that subscribed to its type, queued in the case_event job's transaction. The POST itself is the
// webhook_delivery job's (src/webhooks/deliver.ts), so a slow receiver is retried alone.
import type { Tx } from '../db.ts'
import type { CaseEvent, CaseSummary, EventSink } from '../events/events.ts'
import { insertJob } from '../jobs/queries.ts'
import { endpointsFor, insertDelivery } from './queries.ts'

export const WEBHOOK_SINK = 'webhooks'
export const DELIVERY_JOB = 'webhook_delivery'

/** The event types an endpoint may subscribe to (reply.failed stays internal: an alert's business). */
export const webhookEventTypes = [
  'case.created',
  'case.assigned',
  'case.at_risk',
  'case.breached',
  'approval.requested',
  'reply.sent',
  'case.resolved',
  'case.closed',
] as const

/**
 * What a receiver gets. The case as a notification shows it, without its subject: that is text
 * the customer wrote, and a receiver is outside the desk. The customer is named, as in Slack.
 */
export function eventPayload(event: CaseEvent, summary: CaseSummary): Record<string, unknown> {
  const { subject: _subject, ...kase } = summary
  return { type: event.type, timestamp: event.at, data: { case: kase, ...event.data } }
}

/**
 * Attempts per delivery (or replay): with the queue's backoff the last comes about 21 minutes
 * after the first (10 s, 20 s … 640 s), long enough for a receiver's deploy or restart; a longer
 * outage is what Replay is for.
 */
export const DELIVERY_ATTEMPTS = 8

/** The job of one delivery attempt series. */
export async function queueDeliveryJob(tx: Tx, orgId: string, deliveryId: string): Promise<void> {
  const jobId = await insertJob(tx, orgId, DELIVERY_JOB, { deliveryId })
  await tx`update jobs set max_attempts = ${DELIVERY_ATTEMPTS} where id = ${jobId}`
}

/** Queues one delivery (and its job) for the endpoint. */
export async function queueDelivery(
  tx: Tx,
  orgId: string,
  d: { endpointId: string; eventType: string; caseId: string | null; payload: Record<string, unknown> },
): Promise<string> {
  const deliveryId = await insertDelivery(tx, orgId, d)
  await queueDeliveryJob(tx, orgId, deliveryId)
  return deliveryId
}

export const webhookSink: EventSink = {
  name: WEBHOOK_SINK,
  async fanOut(tx, { orgId }, event, summary) {
    if (!(webhookEventTypes as readonly string[]).includes(event.type)) return
    const payload = eventPayload(event, summary)
    for (const endpoint of await endpointsFor(tx, event.type)) {
      await queueDelivery(tx, orgId, { endpointId: endpoint.id, eventType: event.type, caseId: event.caseId, payload })
    }
  },
}
