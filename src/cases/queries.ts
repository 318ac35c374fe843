import type { DbOrTx, Tx } from '../db.ts'

/** Takes the org's next case number; its counter row (sql/00053) stays locked until commit. */
export async function takeCaseNumber(tx: Tx, orgId: string): Promise<number> {
  return takeCaseNumbers(tx, orgId, 1)
}

/** Takes `count` consecutive numbers at once and returns the first (a batch: createCases). */
export async function takeCaseNumbers(tx: Tx, orgId: string, count: number): Promise<number> {
  const [row] = await tx<{ first: number }[]>`
    select take_case_numbers(${orgId}, ${count}::int) as first`
  return row!.first
}

/** What a mail that opens a case is recognised by, for the last look before it is numbered. */
export type Claims = { keys: string[]; messageKeys: string[]; externalRef: string | null }

/**
 * Numbers cases inserted unnumbered, in this order, and appends their audit events: one statement
 * (number_new_cases, sql/00043), the last before commit, as it holds the org row and the audit
 * chain's lock until then. Null when another case claimed the mail meanwhile (nothing numbered).
 */
export async function numberNewCases(
  tx: Tx,
  orgId: string,
  caseIds: string[],
  audit: Record<string, unknown>[],
  claims: Claims = { keys: [], messageKeys: [], externalRef: null },
): Promise<number | null> {
  const [row] = await tx<{ first: number | null }[]>`
    select number_new_cases(${orgId}, ${caseIds}::uuid[], ${tx.json(audit as never)}, ${claims.keys}::text[],
                            ${claims.messageKeys}::text[], ${claims.externalRef}) as first`
  return row!.first
}

/**
 * Every column a new case is born with; anything else keeps its default until something changes
 * it. A case alone is inserted without its number, which comes last (numberNewCases).
 */
export const newCaseColumns = [
  'org_id',
  'number',
  'source',
  'customer_email',
  'customer_name',
  'customer_account',
  'forwarded_by',
  'subject',
  'original_subject',
  'summary',
  'severity',
  'severity_reasons',
  'case_type',
  'external_ref',
  'original_key',
  'reply_to_message_id',
  'reply_references',
  'owner_id',
  'owner_assigned_at',
  'status',
  'reply_token',
  'opened_at',
  'import_key',
  'account_id',
  'first_response_due_at',
  'first_response_at_risk_at',
  'resolution_due_at',
  'resolution_at_risk_at',
  'next_update_due_at',
  'next_update_at_risk_at',
  'next_deadline_at',
  'next_at_risk_at',
  'channel_kind',
  'channel_name',
  'channel_email',
  'channel_reference',
  'language',
  'executive',
  'intake',
  'import_run_id',
  'import_fields',
] as const

export type NewCaseRow = Record<(typeof newCaseColumns)[number], unknown>

export async function insertCases(tx: Tx, rows: NewCaseRow[]): Promise<{ id: string }[]> {
  return tx<{ id: string }[]>`insert into cases ${tx(rows as never, ...newCaseColumns)} returning id`
}

/** The account of each (email, named account) pair, in order, by the database's one rule (case_account_id). */
export async function caseAccountIds(tx: Tx, pairs: { email: string | null; account: string | null }[]): Promise<(string | null)[]> {
  if (pairs.length === 0) return []
  const rows = await tx<{ id: string | null }[]>`
    select case_account_id(t.email, t.account) as id
    from unnest(${pairs.map((p) => p.email)}::text[], ${pairs.map((p) => p.account)}::text[]) with ordinality as t(email, account, n)
    order by t.n`
  return rows.map((r) => r.id)
}

/** Cases without an account that now have one (after an accounts import), by the same rule. */
export async function linkCasesToAccounts(tx: Tx): Promise<number> {
  const linked = await tx`
    update cases c set account_id = m.account_id
    from (select id, case_account_id(customer_email, customer_account) as account_id from cases where account_id is null) m
    where c.id = m.id and m.account_id is not null
    returning c.id`
  return linked.length
}

export async function findCaseByExternalRef(db: DbOrTx, externalRef: string): Promise<{ id: string; number: number } | undefined> {
  const [row]: [{ id: string; number: number }?] = await db`select id, number from cases where external_ref = ${externalRef}`
  return row
}

/** A note in the thread, written by a person (what they typed when they entered the case). */
export async function insertNote(
  tx: Tx,
  orgId: string,
  note: { caseId: string; subject: string; text: string; authorId: string | null },
): Promise<string> {
  const [row] = await tx<{ id: string }[]>`
    insert into messages (org_id, case_id, direction, subject, text_body, author_id)
    values (${orgId}, ${note.caseId}, 'note', ${note.subject}, ${note.text}, ${note.authorId}) returning id`
  return row!.id
}

export async function findCaseNumberById(db: DbOrTx, id: string): Promise<number | undefined> {
  const [row]: [{ number: number }?] = await db`select number from cases where id = ${id}`
  return row?.number
}
