import { withOrg, type Db } from '../../src/db.ts'
import type { GuardrailFlag } from '../../src/drafts/guardrails.ts'
import { insertDraft, type NewDraft } from '../../src/drafts/queries.ts'

/** A draft version as the drafting job would store it (flags given, not computed). */
export async function seedDraft(db: Db, orgId: string, caseId: string, overrides: Partial<NewDraft> = {}) {
  const [kase] = await withOrg(
    db,
    orgId,
    (tx) => tx<{ email: string | null }[]>`select customer_email as email from cases where id = ${caseId}`,
  )
  const draft: NewDraft = {
    authorKind: 'template',
    author: 'template',
    authorId: null,
    purpose: 'reply',
    toEmails: [kase!.email ?? 'pat@customer.test'],
    ccEmails: [],
    files: [],
    subject: 'Re: your complaint',
    body: 'Thank you for writing. I own this now and will update you by 5pm today.',
    toneNotes: '',
    missingFacts: [],
    recoveryAction: 'apology',
    recoveryRationale: '',
    guardrailFlags: [] as GuardrailFlag[],
    fallbackReason: 'no_api_key',
    instruction: null,
    ...overrides,
  }
  return withOrg(db, orgId, async (tx) => {
    await tx`select id from cases where id = ${caseId} for update`
    return insertDraft(tx, orgId, caseId, draft)
  })
}
