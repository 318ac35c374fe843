import type { Q, Tx } from '../db.ts'

export type Source = 'ceo_inbox' | 'bbb' | 'lawyer' | 'regulator' | 'social' | 'direct' | 'form' | 'csv'
export type Severity = 'SEV-1' | 'SEV-2' | 'SEV-3' | 'SEV-4'

export type NewCase = {
  source: Source
  customerEmail: string | null
  customerName: string | null
  forwardedBy: string[]
  subject: string
  summary: string
  severity: Severity
  severityReasons: string[]
  externalRef: string | null
  replyToken: string
  openedAt: Date
}

/** Takes the org's next case number; the row lock orders concurrent intakes within the org. */
export async function takeCaseNumber(tx: Tx, orgId: string): Promise<number> {
  const [row] = await tx<{ number: number }[]>`
    update orgs set next_case_number = next_case_number + 1
    where id = ${orgId} returning next_case_number - 1 as number`
  return row!.number
}

export async function insertCase(tx: Tx, orgId: string, number: number, c: NewCase): Promise<{ id: string }> {
  const [row]: [{ id: string }?] = await tx`
    insert into cases (org_id, number, source, customer_email, customer_name, forwarded_by, subject,
                       summary, severity, severity_reasons, external_ref, reply_token, opened_at)
    values (${orgId}, ${number}, ${c.source}, ${c.customerEmail}, ${c.customerName}, ${c.forwardedBy},
            ${c.subject}, ${c.summary}, ${c.severity}, ${c.severityReasons}, ${c.externalRef},
            ${c.replyToken}, ${c.openedAt})
    returning id`
  return row!
}

export async function findCaseNumberById(db: Q, id: string): Promise<number | undefined> {
  const [row]: [{ number: number }?] = await db`select number from cases where id = ${id}`
  return row?.number
}

export const caseLabel = (number: number) => `ESC-${number}`
