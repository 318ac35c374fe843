import { withOrg, type Db } from '../db.ts'
import { checkEmail } from '../orgs/addresses.ts'

// Erasure of a person on request (GDPR art. 17, CCPA). The work is one security-definer function
// in the database (erase_person, sql/00037; erase_person_as reaches every place since sql/00045,
// whose header lists each table and why some hold nothing of a customer): it is the only path
// allowed to rewrite frozen rows (the outbox, approvals) and audit details, it checks the admin
// itself and writes the `person.erase` event in the same transaction, so no code path here can
// erase without leaving that trace. A dry run is the same erasure, rolled back.

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
  rawMessages: number
  /** Mail that reached no case (quarantined, not an escalation) holding their address. */
  quarantine: number
  caseKeys: number
  /** Other cases' mail, notes, drafts, replies and details that named them. */
  mentions: number
  approvalNotes: number
  helpdeskTickets: number
  jobs: number
  /** The double-submit guard's stored answers that showed them. */
  formAnswers: number
  webhookDeliveries: number
  chatDeliveries: number
  warRooms: number
  recovery: number
  reviews: number
  intakeExamples: number
  customerLinks: number
  importRuns: number
  /** Stored alerts, internal updates and digests. */
  staffMail: number
  savedViews: number
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
    `${counts.rawMessages} raw message(s) as received, ${counts.quarantine} of them reaching no case (quarantined, not an escalation)`,
    `${counts.mentions} record(s) of other cases naming them: the names and address replaced`,
    `${counts.approvalNotes} approver's note(s), ${counts.warRooms} war room(s), ${counts.recovery} recovery note(s), ${counts.reviews} review(s)`,
    `${counts.jobs} queued job(s) (their cases' pending ones cancelled), ${counts.webhookDeliveries} webhook and ${counts.chatDeliveries} chat delivery log(s)`,
    `${counts.helpdeskTickets} helpdesk ticket link(s), ${counts.customerLinks} customer link(s) expired, ${counts.caseKeys} duplicate-mail key(s)`,
    `${counts.intakeExamples} intake correction(s), ${counts.importRuns} import(s), ${counts.savedViews} saved view(s)`,
    `${counts.staffMail} stored staff mail (alerts, updates, digests) and ${counts.formAnswers} stored form answer(s)`,
    `${counts.devMailbox} message(s) in the dev mailbox`,
    `${counts.auditEvents} audit event(s): values naming them replaced by their salted hashes`,
  ]
}
