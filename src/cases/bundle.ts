import { listCaseAudit } from '../audit/audit.ts'
import type { DbOrTx } from '../db.ts'

/** A case with everything recorded about it, as `desk case --json` prints it. */
export async function getCaseBundle(db: DbOrTx, number: number) {
  const [kase] = await db`
    select c.*, 'ESC-' || c.number as label, u.email as owner_email
    from cases c left join app_users u on u.id = c.owner_id where c.number = ${number}`
  if (!kase) return null
  const messages = await db`
    select id, direction, message_id, in_reply_to, reference_ids, from_email, from_name, to_emails, subject,
           text_body, unknown_sender, created_at
    from messages where case_id = ${kase.id} order by created_at, id`
  const audit = await listCaseAudit(db, kase.id as string)
  const drafts = await db`select * from drafts where case_id = ${kase.id} order by version`
  const approvals = await db`select * from approvals where case_id = ${kase.id} order by created_at`
  const outbox = await db`select * from outbox where case_id = ${kase.id} order by created_at`
  return { case: kase, messages, drafts, approvals, outbox, audit }
}
