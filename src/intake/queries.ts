import type { Q, Tx } from '../db.ts'

export type RawStatus = 'received' | 'processed' | 'threaded' | 'duplicate' | 'quarantined' | 'not_escalation'

/** What the list of not-escalations shows of a stored message, read once at intake. */
export type RawSummary = { from: string | null; name: string | null; subject: string; kind: string | null }

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

type MarkFields = {
  reason?: string | null
  caseId?: string | null
  summary?: RawSummary | null
  /** A person opening a case from a kept not-escalation finishes that row a second time. */
  reopen?: boolean
}

/**
 * Records the outcome of a stored message once: a row already finished (by a concurrent delivery,
 * or by the sweep racing the process that stored it) keeps its first outcome.
 */
export async function markRaw(db: Q, id: string, status: RawStatus, fields: MarkFields = {}) {
  const open = fields.reopen ? ['received', 'quarantined', 'not_escalation'] : ['received', 'quarantined']
  await db`
    update inbound_raw set status = ${status}, reason = ${fields.reason ?? null},
           case_id = ${fields.caseId ?? null}, processed_at = now(),
           summary = coalesce(${fields.summary ? db.json(fields.summary) : null}::jsonb, summary)
    where id = ${id} and status = any(${open})`
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
  /** Cc of the mail, and for a forward the original's To and Cc (empty when none). */
  ccEmails?: string[]
  originalToEmails?: string[]
  originalCcEmails?: string[]
  subject: string
  textBody: string
  htmlBody: string | null
  rawId: string | null
  /** An automatic message attached to a case (a note): what kind it is and why. */
  automatic?: { kind: string; reason: string } | null
  /** The executives and assistants who forwarded it (classification's forwardedBy). */
  forwardedBy?: string[]
}

/** Inserts unless the org already has this dedupe key; the unique index decides, not a prior read. */
export async function insertMessageOnce(tx: Tx, orgId: string, m: NewMessage): Promise<{ id: string } | undefined> {
  const [row]: [{ id: string }?] = await tx`
    insert into messages (org_id, case_id, direction, dedupe_key, message_id, in_reply_to, reference_ids,
                          from_email, from_name, to_emails, subject, text_body, html_body, raw_id,
                          automatic, automatic_reason, cc_emails, original_to_emails, original_cc_emails, forwarded_by)
    values (${orgId}, ${m.caseId}, ${m.direction}, ${m.dedupeKey}, ${m.messageId}, ${m.inReplyTo},
            ${m.referenceIds}, ${m.fromEmail}, ${m.fromName}, ${m.toEmails}, ${m.subject}, ${m.textBody},
            ${m.htmlBody}, ${m.rawId}, ${m.automatic?.kind ?? null}, ${m.automatic?.reason.slice(0, 500) ?? null},
            ${m.ccEmails ?? []}, ${m.originalToEmails ?? []}, ${m.originalCcEmails ?? []}, ${m.forwardedBy ?? []})
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
 * key). A kept not-escalation counts too (its case is null when it answers none). Checked before a
 * new raw copy is stored.
 */
export async function findEarlierCopy(
  db: Q,
  sha256: string,
  messageId: string | null,
): Promise<{ number: number | null; rawId: string } | undefined> {
  const [row]: [{ number: number | null; rawId: string }?] = await db`
    (select c.number, r.id as "rawId" from inbound_raw r left join cases c on c.id = r.case_id
     where r.sha256 = ${sha256} and (r.case_id is not null or r.status = 'not_escalation') limit 1)
    union all
    (select c.number, m.raw_id as "rawId" from messages m join cases c on c.id = m.case_id
     where m.dedupe_key = ${messageId === null ? null : `mid:${messageId}`} and m.raw_id is not null limit 1)
    limit 1`
  return row
}

// ---- Dedupe keys: every key a copy of a case's mail can be recognised by ----

/** Keys longer than this are no key (a quoted address or id that long is not real mail). */
export const MAX_KEY_CHARS = 600

/** Claims the keys for the case; a key another case claimed first stays with that case. */
export async function insertCaseKeys(tx: Tx, orgId: string, caseId: string, keys: string[]): Promise<void> {
  const usable = [...new Set(keys)].filter((k) => k.length <= MAX_KEY_CHARS)
  if (!usable.length) return
  await tx`
    insert into case_keys (org_id, key, case_id)
    select ${orgId}, k, ${caseId} from unnest(${usable}::text[]) k
    on conflict (org_id, key) do nothing`
}

type CaseRef = { id: string; number: number }

/** The case that holds one of these keys, oldest claim first. */
export async function findCaseByKeys(db: Q, keys: string[]): Promise<CaseRef | undefined> {
  if (!keys.length) return undefined
  const [row]: [CaseRef?] = await db`
    select c.id, c.number from case_keys k join cases c on c.id = k.case_id
    where k.key = any(${keys}::text[]) order by k.created_at, c.number limit 1`
  return row
}

/**
 * The case one of these Message-IDs belongs to: a message filed on it (inbound, note or our
 * sent reply), a reply we queued or sent from it, or the forwarded original it was opened from.
 */
export async function findCaseByMessageIds(db: Q, ids: string[]): Promise<CaseRef | undefined> {
  if (!ids.length) return undefined
  const keys = ids.map((id) => `mid:${id}`)
  const [row]: [CaseRef?] = await db`
    select id, number from (
      (select c.id, c.number, m.created_at as at from messages m join cases c on c.id = m.case_id
       where m.dedupe_key = any(${keys}::text[]) order by m.created_at desc limit 1)
      union all
      (select c.id, c.number, o.created_at from outbox o join cases c on c.id = o.case_id
       where o.message_id = any(${ids}::text[]) order by o.created_at desc limit 1)
      union all
      (select c.id, c.number, k.created_at from case_keys k join cases c on c.id = k.case_id
       where k.key = any(${keys}::text[]) order by k.created_at limit 1)
    ) found order by at desc limit 1`
  return row
}

// ---- Not escalations ----

export type NotEscalation = {
  rawId: string
  receivedAt: Date
  reason: string | null
  summary: RawSummary | null
  caseId: string | null
  caseNumber: number | null
}

/** The org's kept not-escalations, newest first. */
export async function listNotEscalations(db: Q, limit = 200): Promise<NotEscalation[]> {
  return db<NotEscalation[]>`
    select r.id as "rawId", r.received_at as "receivedAt", r.reason, r.summary, r.case_id as "caseId", c.number as "caseNumber"
    from inbound_raw r left join cases c on c.id = r.case_id
    where r.status = 'not_escalation' order by r.received_at desc, r.id limit ${limit}`
}

/** One stored message of the org, for processing it again. */
export async function findStoredRaw(
  db: Q,
  rawId: string,
): Promise<
  { status: string; caseId: string | null; raw: Buffer; provider: string; sha256: string; envelope: Record<string, unknown> } | undefined
> {
  const [row]: [
    { status: string; caseId: string | null; raw: Buffer; provider: string; sha256: string; envelope: Record<string, unknown> }?,
  ] = await db`
    select status, case_id as "caseId", raw, provider, sha256, envelope from inbound_raw where id = ${rawId}`
  return row
}
