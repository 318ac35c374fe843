import { listCaseAudit } from '../audit/audit.ts'
import type { Q } from '../db.ts'

/** A case with everything recorded about it, as `desk case --json` prints it. */
export async function getCaseBundle(db: Q, number: number) {
  const [kase] = await db`
    select c.*, 'ESC-' || c.number as label, u.email as owner_email
    from cases c left join app_users u on u.id = c.owner_id where c.number = ${number}`
  if (!kase) return null
  const messages = await db`
    select id, direction, message_id, in_reply_to, reference_ids, from_email, from_name, to_emails, subject,
           text_body, unknown_sender, created_at
    from messages where case_id = ${kase.id} order by created_at, id`
  const audit = await listCaseAudit(db, kase.id as string)
  // Tables from later features join this bundle when they exist (drafts, approvals, outbox).
  const extras: Record<string, unknown[]> = {}
  for (const table of ['drafts', 'approvals', 'outbox'] as const) {
    const [exists] = await db`select to_regclass(${table}) is not null as present`
    extras[table] = exists?.present ? await db.unsafe(`select * from ${table} where case_id = $1 order by created_at`, [kase.id]) : []
  }
  return { case: kase, messages, ...extras, audit }
}
