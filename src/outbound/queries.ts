import type { DbOrTx } from '../db.ts'

export type NewHeldMail = {
  orgId: string | null
  to: string[]
  cc: string[]
  /** What was attached (never the bytes: the dev mailbox shows names, sizes and hashes). */
  attachments: { filename: string; contentType: string; size: number; sha256: string }[]
  from: string
  replyTo: string | null
  subject: string
  text: string
  html: string | null
  headers: Record<string, string>
  tags: Record<string, string>
  idempotencyKey: string | null
}

/** Stores one message unless its idempotency key was seen; returns the id either way. */
export async function insertHeldMailOnce(db: DbOrTx, m: NewHeldMail): Promise<string> {
  const [row] = await db<{ id: string }[]>`
    insert into dev_mailbox (org_id, to_addresses, cc_addresses, attachments, from_address, reply_to, subject, text_body, html_body, headers,
                             tags, idempotency_key)
    values (${m.orgId}, ${m.to}, ${m.cc}, ${db.json(m.attachments)}, ${m.from}, ${m.replyTo}, ${m.subject}, ${m.text}, ${m.html},
            ${db.json(m.headers)}, ${db.json(m.tags)}, ${m.idempotencyKey})
    on conflict (idempotency_key) do nothing
    returning id`
  if (row) return row.id
  const [first] = await db<{ id: string }[]>`select id from dev_mailbox where idempotency_key = ${m.idempotencyKey}`
  if (!first) throw new Error(`idempotency key ${m.idempotencyKey} is already used by mail this org cannot see`)
  return first.id
}
