import type { Db } from '../../src/db.ts'

/** The newest held mail to an address, with the sign-in token of its link (if any). */
export async function latestMailTo(db: Db, email: string) {
  const [mail] = await db<{ id: string; subject: string; text: string; orgId: string | null }[]>`
    select id, subject, text_body as text, org_id as "orgId" from dev_mailbox
    where ${email} = any(to_addresses) order by created_at desc limit 1`
  const token = mail ? /\/sign-in\/confirm\?token=([^\s]+)/.exec(mail.text)?.[1] : undefined
  return { mail, token: token ? decodeURIComponent(token) : undefined }
}

export async function countMailTo(db: Db, email: string): Promise<number> {
  const [row] = await db<{ n: number }[]>`select count(*)::int as n from dev_mailbox where ${email} = any(to_addresses)`
  return row!.n
}

export async function sessionsOf(db: Db, userId: string) {
  return db<{ id: string; revokedAt: Date | null }[]>`select id, revoked_at as "revokedAt" from sessions where user_id = ${userId}`
}

export async function linkRow(db: Db, jti: string) {
  const [row] = await db<{ consumedAt: Date | null }[]>`select consumed_at as "consumedAt" from link_tokens where jti = ${jti}`
  return row
}

/** Strips the per-response CSP nonce so two pages can be compared byte for byte. */
export const withoutNonce = (html: string) => html.replace(/nonce="[^"]+"/g, 'nonce=""')
