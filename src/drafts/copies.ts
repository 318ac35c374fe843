// Who a reply copies (CC). Suggested from the thread: the people the customer copied, minus our
// own addresses, no-reply mailboxes and whoever the reply already goes to. Anyone else may be
// copied too, but someone who is not on the thread is a warning the approver acknowledges: a
// copy to the wrong person leaks a customer's complaint as surely as a wrong To.
import type { Q } from '../db.ts'
import type { OrgContext } from '../intake/org-context.ts'
import { unusableRecipient } from './recipient.ts'

/** Everyone the case's inbound mail came from, was addressed to or copied to (lower case). */
export async function threadAddresses(db: Q, caseId: string): Promise<string[]> {
  const [row] = await db<{ addresses: string[] }[]>`
    select array(
      select distinct lower(a) from (
        select unnest(array[from_email] || to_emails || cc_emails || original_to_emails || original_cc_emails) as a
        from messages where case_id = ${caseId} and direction = 'inbound'
      ) s where a is not null and a <> '') as addresses`
  return row?.addresses ?? []
}

/**
 * The copies a reply would carry as "reply all" of the customer's own mail, in the order they
 * first appear. A counsel's letter suggests nobody: the reply goes to counsel alone.
 */
export async function suggestedCopies(
  db: Q,
  caseId: string,
  org: Pick<OrgContext, 'inboundAddresses' | 'domains' | 'teamAddresses'> | null,
  replyTo: string[],
): Promise<string[]> {
  // The customer's own mail gives its CC; a forward gives the CC of the original it carries.
  const rows = await db<{ address: string }[]>`
    select lower(a) as address
    from messages m join cases c on c.id = m.case_id,
      unnest(case when m.from_email = c.customer_email then m.cc_emails else '{}' end || m.original_cc_emails) a
    where m.case_id = ${caseId} and m.direction = 'inbound' and c.channel_kind is distinct from 'counsel'
    group by lower(a) order by min(m.created_at), lower(a)`
  const skip = new Set(replyTo.map((a) => a.toLowerCase()))
  return rows.map((r) => r.address).filter((a) => !skip.has(a) && a.includes('@') && unusableRecipient(a, org) === null)
}
