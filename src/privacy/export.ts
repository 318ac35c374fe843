import { zipSync, strToU8 } from 'fflate'
import { recordAudit, type Actor } from '../audit/audit.ts'
import { caseLabel } from '../cases/terms.ts'
import { withOrg, type Db, type Tx } from '../db.ts'
import { checkEmail } from '../orgs/addresses.ts'

// Access requests (GDPR art. 15, CCPA "right to know"): everything the desk holds about one
// person, as a zip: person.json (their cases, messages, drafts, replies, audit events, and under
// heldElsewhere every other place the erasure reaches: person_records, sql/00045) and, per case,
// each mail as .eml (the raw message as it arrived, or the reply as it was sent) and each kept
// file; mail of theirs that reached no case (quarantined, not an escalation) is under other-mail/. Read in one transaction of the org, so the zip is one consistent picture; the
// export itself is audited (`person.export`, with the SHA-256 of the address, not the address).

export type PersonExport = { zip: Uint8Array; fileName: string; cases: number; messages: number }

type CaseRow = { id: string; number: number } & Record<string, unknown>
type MessageRow = { id: string; caseId: string | null; rawId: string | null; direction: string } & Record<string, unknown>

const caseColumns = (tx: Tx) => tx`
  id, number, source, customer_email as "customerEmail", customer_name as "customerName", customer_account as "customerAccount",
  subject, summary, severity, status, external_ref as "externalRef", opened_at as "openedAt", closed_at as "closedAt",
  content_removed_at as "contentRemovedAt", content_removed_reason as "contentRemovedReason"`

async function readPerson(tx: Tx, orgId: string, email: string) {
  const cases = await tx<CaseRow[]>`select ${caseColumns(tx)} from cases where lower(customer_email) = ${email} order by number`
  const caseIds = cases.map((c) => c.id)
  const messages = await tx<MessageRow[]>`
    select id, case_id as "caseId", raw_id as "rawId", direction, message_id as "messageId", from_email as "fromEmail",
           from_name as "fromName", to_emails as "toEmails", cc_emails as "ccEmails", subject, text_body as "textBody", created_at as "createdAt"
    from messages
    where case_id = any(${caseIds}::uuid[]) or lower(from_email) = ${email} or ${email} = any(array(select lower(unnest(to_emails))))
    order by created_at`
  const drafts = await tx`
    select case_id as "caseId", version, author, to_emails as "toEmails", subject, body, created_at as "createdAt"
    from drafts where case_id = any(${caseIds}::uuid[]) order by case_id, version`
  const outbox = await tx<({ caseId: string } & Record<string, unknown>)[]>`
    select id, case_id as "caseId", to_emails as "toEmails", cc_emails as "ccEmails", from_address as "fromAddress", subject, body,
           message_id as "messageId", in_reply_to as "inReplyTo", status, sent_at as "sentAt"
    from outbox where case_id = any(${caseIds}::uuid[]) order by created_at`
  const audit = await tx`
    select case_id as "caseId", seq, actor_kind as "actorKind", action, details, created_at as "createdAt"
    from audit_events where case_id = any(${caseIds}::uuid[]) order by seq`
  const raws = await tx<{ id: string; raw: Uint8Array }[]>`
    select id, raw from inbound_raw
    where id = any(${messages.map((m) => m.rawId).filter((id): id is string => !!id)}::uuid[]) and removed_at is null`
  const files = await tx<{ messageId: string; position: number; filename: string; content: Uint8Array }[]>`
    select message_id as "messageId", position, filename, content from message_attachments
    where message_id = any(${messages.map((m) => m.id)}::uuid[]) and content is not null order by message_id, position`
  // The places beyond the case (approvers' notes, jobs, stored answers, digests…): the rows the
  // erasure would change, found by the same function (sql/00045).
  const [{ heldElsewhere }] = (await tx`select person_records(${orgId}, ${email}) as "heldElsewhere"`) as [
    { heldElsewhere: Record<string, unknown[]> },
  ]
  const unfiled = await tx<{ id: string; raw: Uint8Array }[]>`
    select id, raw from inbound_raw
    where id = any((erasure_subject(${orgId}, ${email})).raw_ids) and case_id is null and removed_at is null
    order by received_at`
  return { cases, messages, drafts, outbox, audit, heldElsewhere, raws: new Map(raws.map((r) => [r.id, r.raw])), unfiled, files }
}

/** A reply as it was sent, for the .eml of an outbound message the desk holds no raw copy of. */
function sentEml(o: Record<string, unknown>): Uint8Array {
  const list = (v: unknown) => ((v as string[] | null) ?? []).join(', ')
  const headers = [
    `From: ${o.fromAddress ?? ''}`,
    `To: ${list(o.toEmails)}`,
    ...(list(o.ccEmails) ? [`Cc: ${list(o.ccEmails)}`] : []),
    `Subject: ${o.subject}`,
    ...(o.messageId ? [`Message-ID: <${o.messageId}>`] : []),
    ...(o.inReplyTo ? [`In-Reply-To: <${o.inReplyTo}>`] : []),
    ...(o.sentAt ? [`Date: ${new Date(o.sentAt as string).toUTCString()}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
  ]
  return strToU8(`${headers.join('\r\n')}\r\n\r\n${String(o.body).replace(/\r?\n/g, '\r\n')}\r\n`)
}

const safeName = (name: string) => name.replace(/[^\p{L}\p{N}._ -]+/gu, '_').slice(0, 120) || 'file'

/** Builds the zip of everything held about `address` in the org, and audits that it was made. */
export async function exportPerson(db: Db, orgId: string, actor: Actor, address: string): Promise<PersonExport | { problem: string }> {
  const checked = checkEmail(address)
  if (!checked.ok) return { problem: checked.problem }
  const email = checked.value
  return withOrg(db, orgId, async (tx) => {
    const person = await readPerson(tx, orgId, email)
    const label = new Map(person.cases.map((c) => [c.id, caseLabel(c.number)]))
    const entries: Record<string, Uint8Array> = {}
    person.messages.forEach((m, index) => {
      const folder = m.caseId && label.has(m.caseId) ? `cases/${label.get(m.caseId)}` : 'other-mail'
      const raw = m.rawId ? person.raws.get(m.rawId) : undefined
      if (raw && raw.length > 0) entries[`${folder}/mail/${String(index + 1).padStart(4, '0')}-${m.direction}.eml`] = raw
    })
    person.outbox
      .filter((o) => o.status === 'sent')
      .forEach((o, index) => {
        entries[`cases/${label.get(o.caseId)}/mail/reply-${String(index + 1).padStart(3, '0')}.eml`] = sentEml(o)
      })
    person.unfiled.forEach((r, index) => {
      entries[`other-mail/unfiled-${String(index + 1).padStart(3, '0')}.eml`] = r.raw
    })
    for (const f of person.files) {
      const m = person.messages.find((x) => x.id === f.messageId)
      const folder = m?.caseId && label.has(m.caseId) ? `cases/${label.get(m.caseId)}` : 'other-mail'
      entries[`${folder}/files/${f.position}-${safeName(f.filename)}`] = f.content
    }
    const { raws: _raws, files: _files, unfiled: _unfiled, ...records } = person
    const summary = { email, exportedAt: new Date().toISOString(), ...records, files: person.files.map(({ content: _c, ...f }) => f) }
    entries['person.json'] = strToU8(JSON.stringify(summary, null, 2))
    await recordAudit(tx, orgId, {
      actor,
      action: 'person.export',
      details: { subjectSha256: await subjectDigest(orgId, email), cases: person.cases.length, messages: person.messages.length },
    })
    const zip = zipSync(entries, { level: 6, mtime: new Date() })
    return {
      zip,
      fileName: `person-export-${new Date().toISOString().slice(0, 10)}.zip`,
      cases: person.cases.length,
      messages: person.messages.length,
    }
  })
}

/** The same digest erase_person records (sql/00037): SHA-256 of "<org id>:<address>". */
export async function subjectDigest(orgId: string, email: string): Promise<string> {
  const bytes = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${orgId}:${email}`))
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('')
}
