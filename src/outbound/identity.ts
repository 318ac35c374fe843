import type { DbOrTx } from '../db.ts'
import { caseExecutive, type OrgExecutive } from '../orgs/executives.ts'
import { singleLine } from './headers.ts'

// Who a reply comes from, as the customer sees it. The org's sender (orgs.reply_from, else the
// desk's MAIL_FROM) for every case; for a case that reached an executive's inbox, the executive:
// From their own address when the org allows sending as it ("Dana Ruiz <dana@acme.com>"), else
// in their name from the org's sender ("Dana Ruiz via Acme <desk@acme.com>"). Reply-To is always
// the case's token address, so the answer comes back to the desk whichever From is shown.

/** The address of a mailbox written `Name <address>` or bare. */
export function mailboxAddress(mailbox: string): string {
  const match = /<([^<>]+)>\s*$/.exec(mailbox)
  return (match ? match[1]! : mailbox).trim()
}

// A display name of letters, digits, spaces and a little punctuation goes as is; anything else
// (a comma, a quote, parentheses) is quoted, so the name can never split or end the address.
const plainName = /^[\p{L}\p{M}\p{N} .'_-]*$/u

/** `Name <address>`, the name quoted when it needs to be; the bare address when there is no name. */
export function formatMailbox(name: string, address: string): string {
  const clean = singleLine(name).replace(/\s+/g, ' ')
  if (!clean) return address
  const shown = plainName.test(clean) ? clean : `"${clean.replace(/["\\]/g, '\\$&')}"`
  return `${shown} <${address}>`
}

/** The From for a reply, given the org's sender, its name and the executive the case reached (if any). */
export function fromFor(orgSender: string, orgName: string, executive: OrgExecutive | null): string {
  if (!executive) return orgSender
  if (executive.sendAs) return formatMailbox(executive.name, executive.email)
  if (!executive.name) return orgSender
  return formatMailbox(`${executive.name} via ${orgName}`, mailboxAddress(orgSender))
}

/** The From a reply on this case will carry now; `mailFrom` is the desk's own sender (MAIL_FROM). */
export async function replyFrom(db: DbOrTx, caseId: string, mailFrom: string): Promise<string> {
  const [org] = await db<{ name: string; replyFrom: string | null }[]>`
    select o.name, o.reply_from as "replyFrom" from cases c join orgs o on o.id = c.org_id where c.id = ${caseId}`
  if (!org) return mailFrom
  return fromFor(org.replyFrom ?? mailFrom, org.name, await caseExecutive(db, caseId))
}

/** `escalations+<case token>@…`: where the customer's answer to any reply on this case goes. */
export async function caseReplyTo(db: DbOrTx, caseId: string): Promise<string> {
  const [c] = await db<{ token: string; inbound: string[] }[]>`
    select c.reply_token as token, o.inbound_addresses as inbound from cases c join orgs o on o.id = c.org_id where c.id = ${caseId}`
  const address = c?.inbound[0] ?? 'escalations@example.com'
  const at = address.lastIndexOf('@')
  return `${address.slice(0, at)}+${c?.token ?? ''}${address.slice(at)}`
}

export type ReplyHeaders = { from: string; replyTo: string }

/** What the customer will see in the From and Reply-To of a reply on this case. */
export async function replyHeaders(db: DbOrTx, caseId: string, mailFrom: string): Promise<ReplyHeaders> {
  return { from: await replyFrom(db, caseId, mailFrom), replyTo: await caseReplyTo(db, caseId) }
}
