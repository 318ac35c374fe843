import { withOrg, type Db } from '../db.ts'
import { checkEmail } from '../orgs/addresses.ts'

// Erasure of a person on request (GDPR art. 17, CCPA). The work is one security-definer function
// in the database (erase_person, sql/00037): it is the only path allowed to rewrite frozen rows
// (the outbox) and audit details, it checks the admin itself and writes the `person.erase`
// event in the same transaction, so no code path here can erase without leaving that trace.

/** What an erasure removed (or, on a dry run, would remove), as erase_person counts it. */
export type ErasureCounts = {
  cases: number
  messages: number
  files: number
  uploads: number
  drafts: number
  outbox: number
  otherMessages: number
  devMailbox: number
  auditEvents: number
  rawMessages?: number
}

export type ErasureOutcome = { ok: true; email: string; counts: ErasureCounts } | { ok: false; problem: string }

/** An admin of the org erases the person with this address (dryRun: counts only). */
export async function erasePerson(db: Db, orgId: string, adminId: string, address: string, dryRun: boolean): Promise<ErasureOutcome> {
  const checked = checkEmail(address)
  if (!checked.ok) return { ok: false, problem: checked.problem }
  const counts = await withOrg(db, orgId, async (tx) => {
    const [row] = await tx<{ counts: ErasureCounts }[]>`select erase_person(${adminId}, ${checked.value}, ${dryRun}) as counts`
    return row!.counts
  })
  return { ok: true, email: checked.value, counts }
}

/**
 * The same erasure from `desk erase`, as the owner (whoever runs the CLI runs the desk): the
 * event names the desk's operator (system, `cli`) instead of an admin.
 */
export async function erasePersonFromCli(db: Db, orgId: string, address: string, dryRun: boolean): Promise<ErasureOutcome> {
  const checked = checkEmail(address)
  if (!checked.ok) return { ok: false, problem: checked.problem }
  const [row] = await db<{ counts: ErasureCounts }[]>`
    select erase_person_as(${orgId}, 'system', 'cli', ${checked.value}, ${dryRun}) as counts`
  return { ok: true, email: checked.value, counts: row!.counts }
}

/** One line per kind of record, for the CLI and the admin page. */
export function describeErasure(counts: ErasureCounts): string[] {
  return [
    `${counts.cases} case(s): customer name, address, subject and summary`,
    `${counts.messages} message(s) of those cases and ${counts.otherMessages} of theirs elsewhere: text and addresses`,
    `${counts.files} attached file(s) and ${counts.uploads} uploaded file(s)`,
    `${counts.drafts} draft(s) and ${counts.outbox} repl(ies) in the outbox (unsent ones cancelled)`,
    `${counts.devMailbox} message(s) in the dev mailbox`,
    `${counts.auditEvents} audit event(s): values naming them replaced by their salted hashes`,
  ]
}
