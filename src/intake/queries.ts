import type { Q, Tx } from '../db.ts'

export type RawStatus = 'received' | 'processed' | 'threaded' | 'duplicate' | 'quarantined'

export async function insertRaw(
  db: Q,
  raw: { orgId: string | null; provider: string; sha256: string; bytes: Uint8Array; envelope?: Record<string, unknown> },
): Promise<{ id: string }> {
  const [row]: [{ id: string }?] = await db`
    insert into inbound_raw (org_id, provider, sha256, size, raw, envelope)
    values (${raw.orgId}, ${raw.provider}, ${raw.sha256}, ${raw.bytes.byteLength},
            ${Buffer.from(raw.bytes.buffer, raw.bytes.byteOffset, raw.bytes.byteLength)},
            ${db.json((raw.envelope ?? {}) as never)})
    returning id`
  return row!
}

/**
 * Records the outcome of a stored message once: a row already finished (by a concurrent delivery,
 * or by the sweep racing the process that stored it) keeps its first outcome.
 */
export async function markRaw(db: Q, id: string, status: RawStatus, fields: { reason?: string | null; caseId?: string | null } = {}) {
  await db`
    update inbound_raw set status = ${status}, reason = ${fields.reason ?? null},
           case_id = ${fields.caseId ?? null}, processed_at = now()
    where id = ${id} and status in ('received', 'quarantined')`
}

export type NewMessage = {
  caseId: string
  direction: 'inbound' | 'outbound' | 'note'
  dedupeKey: string | null
  messageId: string | null
  inReplyTo: string | null
  referenceIds: string[]
  fromEmail: string | null
  fromName: string | null
  toEmails: string[]
  subject: string
  textBody: string
  htmlBody: string | null
  rawId: string | null
}

/** Inserts unless the org already has this dedupe key; the unique index decides, not a prior read. */
export async function insertMessageOnce(tx: Tx, orgId: string, m: NewMessage): Promise<{ id: string } | undefined> {
  const [row]: [{ id: string }?] = await tx`
    insert into messages (org_id, case_id, direction, dedupe_key, message_id, in_reply_to, reference_ids,
                          from_email, from_name, to_emails, subject, text_body, html_body, raw_id)
    values (${orgId}, ${m.caseId}, ${m.direction}, ${m.dedupeKey}, ${m.messageId}, ${m.inReplyTo},
            ${m.referenceIds}, ${m.fromEmail}, ${m.fromName}, ${m.toEmails}, ${m.subject}, ${m.textBody},
            ${m.htmlBody}, ${m.rawId})
    on conflict (org_id, dedupe_key) where dedupe_key is not null do nothing
    returning id`
  return row
}

export async function findCaseByDedupeKey(db: Q, dedupeKey: string): Promise<{ caseId: string; number: number } | undefined> {
  const [row]: [{ caseId: string; number: number }?] = await db`
    select m.case_id as "caseId", c.number from messages m join cases c on c.id = m.case_id
    where m.dedupe_key = ${dedupeKey}`
  return row
}

/**
 * The case an earlier copy of this message is already on, and that copy's raw row: the same bytes
 * (an earlier raw row of the org), or the same Message-ID (`mid:<id>`, a stored message's dedupe
 * key). Checked before a new raw copy is stored.
 */
export async function findEarlierCopy(db: Q, sha256: string, messageId: string | null): Promise<{ number: number; rawId: string } | undefined> {
  const [row]: [{ number: number; rawId: string }?] = await db`
    (select c.number, r.id as "rawId" from inbound_raw r join cases c on c.id = r.case_id
     where r.sha256 = ${sha256} and r.case_id is not null limit 1)
    union all
    (select c.number, m.raw_id as "rawId" from messages m join cases c on c.id = m.case_id
     where m.dedupe_key = ${messageId === null ? null : `mid:${messageId}`} and m.raw_id is not null limit 1)
    limit 1`
  return row
}
