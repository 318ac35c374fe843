import type { Tx } from '../db.ts'

export type Endpoint = {
  id: string
  url: string
  description: string
  eventTypes: string[]
  secretSealed: string
  enabled: boolean
  createdAt: Date
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed'

export type Delivery = {
  id: string
  endpointId: string
  eventType: string
  caseId: string | null
  payload: Record<string, unknown>
  status: DeliveryStatus
  attempts: number
  lastStatusCode: number | null
  lastError: string | null
  nextAttemptAt: Date | null
  deliveredAt: Date | null
  createdAt: Date
}

export type Attempt = { deliveryId: string; attemptedAt: Date; statusCode: number | null; durationMs: number; error: string | null }

const endpointColumns = (tx: Tx) => tx`
  id, url, description, event_types as "eventTypes", secret_sealed as "secretSealed", enabled, created_at as "createdAt"`

const deliveryColumns = (tx: Tx) => tx`
  id, endpoint_id as "endpointId", event_type as "eventType", case_id as "caseId", payload, status, attempts,
  last_status_code as "lastStatusCode", last_error as "lastError", next_attempt_at as "nextAttemptAt",
  delivered_at as "deliveredAt", created_at as "createdAt"`

export async function listEndpoints(tx: Tx): Promise<Endpoint[]> {
  return tx<Endpoint[]>`select ${endpointColumns(tx)} from webhook_endpoints order by created_at, id`
}

export async function getEndpoint(tx: Tx, id: string): Promise<Endpoint | undefined> {
  const [row]: [Endpoint?] = await tx`select ${endpointColumns(tx)} from webhook_endpoints where id = ${id}`
  return row
}

export async function insertEndpoint(
  tx: Tx,
  orgId: string,
  e: { url: string; description: string; eventTypes: string[]; secretSealed: string; createdBy: string },
): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    insert into webhook_endpoints (org_id, url, description, event_types, secret_sealed, created_by)
    values (${orgId}, ${e.url}, ${e.description}, ${e.eventTypes}, ${e.secretSealed}, ${e.createdBy})
    returning id`
  return row!.id
}

export async function setEndpointEnabled(tx: Tx, id: string, enabled: boolean): Promise<boolean> {
  const rows = await tx`update webhook_endpoints set enabled = ${enabled} where id = ${id} returning id`
  return rows.length > 0
}

export async function deleteEndpoint(tx: Tx, id: string): Promise<boolean> {
  const rows = await tx`delete from webhook_endpoints where id = ${id} returning id`
  return rows.length > 0
}

export async function anyEndpointEnabled(tx: Tx): Promise<boolean> {
  const [row] = await tx<{ on: boolean }[]>`select exists (select 1 from webhook_endpoints where enabled) as on`
  return row!.on
}

/** The enabled endpoints of the transaction's org that listen to this event type. */
export async function endpointsFor(tx: Tx, eventType: string): Promise<{ id: string }[]> {
  return tx<{ id: string }[]>`select id from webhook_endpoints where enabled and ${eventType} = any(event_types) order by id`
}

export async function insertDelivery(
  tx: Tx,
  orgId: string,
  d: { endpointId: string; eventType: string; caseId: string | null; payload: Record<string, unknown> },
): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    insert into webhook_deliveries (org_id, endpoint_id, event_type, case_id, payload, next_attempt_at)
    values (${orgId}, ${d.endpointId}, ${d.eventType}, ${d.caseId}, ${tx.json(d.payload as never)}, now())
    returning id`
  return row!.id
}

/** The delivery, locked for its attempt's record, with its endpoint (null when deleted). */
export async function lockDelivery(tx: Tx, id: string): Promise<(Delivery & { endpoint: Endpoint | null }) | undefined> {
  const [delivery]: [Delivery?] = await tx`select ${deliveryColumns(tx)} from webhook_deliveries where id = ${id} for update`
  if (!delivery) return undefined
  return { ...delivery, endpoint: (await getEndpoint(tx, delivery.endpointId)) ?? null }
}

export async function getDelivery(tx: Tx, endpointId: string, id: string): Promise<Delivery | undefined> {
  const [row]: [Delivery?] = await tx`
    select ${deliveryColumns(tx)} from webhook_deliveries where id = ${id} and endpoint_id = ${endpointId}`
  return row
}

export async function listDeliveries(tx: Tx, endpointId: string, limit = 50): Promise<Delivery[]> {
  return tx<Delivery[]>`
    select ${deliveryColumns(tx)} from webhook_deliveries where endpoint_id = ${endpointId}
    order by created_at desc, id limit ${limit}`
}

export async function listAttempts(tx: Tx, deliveryIds: string[]): Promise<Attempt[]> {
  if (!deliveryIds.length) return []
  return tx<Attempt[]>`
    select delivery_id as "deliveryId", attempted_at as "attemptedAt", status_code as "statusCode",
           duration_ms as "durationMs", error
    from webhook_attempts where delivery_id = any(${deliveryIds}::uuid[]) order by attempted_at, id`
}

export type AttemptRecord = { statusCode: number | null; durationMs: number; error: string | null }

/** One attempt, and the delivery's state after it. */
export async function recordAttempt(
  tx: Tx,
  orgId: string,
  deliveryId: string,
  attempt: AttemptRecord,
  next: { status: DeliveryStatus; nextAttemptAt: Date | null },
): Promise<void> {
  const error = attempt.error?.slice(0, 500) ?? null
  await tx`
    insert into webhook_attempts (org_id, delivery_id, status_code, duration_ms, error)
    values (${orgId}, ${deliveryId}, ${attempt.statusCode}, ${attempt.durationMs}, ${error})`
  await tx`
    update webhook_deliveries set attempts = attempts + 1, status = ${next.status}, last_status_code = ${attempt.statusCode},
      last_error = ${error}, next_attempt_at = ${next.nextAttemptAt},
      delivered_at = case when ${next.status} = 'delivered' then now() else delivered_at end
    where id = ${deliveryId}`
}

/** Marks a delivery finished without an attempt (its endpoint was disabled or deleted meanwhile). */
export async function abandonDelivery(tx: Tx, deliveryId: string, reason: string): Promise<void> {
  await tx`update webhook_deliveries set status = 'failed', last_error = ${reason}, next_attempt_at = null where id = ${deliveryId}`
}

/** A replay: the same delivery (same webhook-id, same payload) queued for a fresh attempt. */
export async function requeueDelivery(tx: Tx, deliveryId: string): Promise<void> {
  await tx`update webhook_deliveries set status = 'pending', next_attempt_at = now() where id = ${deliveryId}`
}
