import { listCaseFiles, type CaseFile } from '../attachments/reply-files.ts'
import type { DbOrTx } from '../db.ts'
import { loadIntakeContext } from '../orgs/intake-context.ts'
import { suggestedCopies } from './copies.ts'
import { replyHeaders, type ReplyHeaders } from '../outbound/identity.ts'
import { hasPendingDraftJob, listDraftVersions, type DraftVersion } from './queries.ts'

/** A case's reply drafts as its page shows them: the current version, the one before (for the diff), the list. */
export type CaseDrafts = {
  caseId: string
  current: DraftVersion | null
  previous: DraftVersion | null
  /** Oldest first. */
  versions: Pick<DraftVersion, 'version' | 'authorKind' | 'author' | 'authorName' | 'createdAt'>[]
  /** A draft job is queued or running: the section polls until it lands. */
  pending: boolean
  /** The From and Reply-To a reply would carry if approved now, as the customer will see them. */
  sender: ReplyHeaders
  /** Whom the customer copied on the thread (our own and no-reply addresses left out): offered as copies. */
  suggestedCopies: string[]
  /** Every file a reply on the case could carry: the thread's kept files, then uploads. */
  files: CaseFile[]
}

/** `mailFrom`: the desk's own sender (MAIL_FROM), for orgs that set none of their own. */
export async function loadCaseDrafts(db: DbOrTx, caseId: string, mailFrom: string): Promise<CaseDrafts> {
  const versions = await listDraftVersions(db, caseId)
  return {
    caseId,
    current: versions[0] ?? null,
    previous: versions[1] ?? null,
    versions: versions
      .map(({ version, authorKind, author, authorName, createdAt }) => ({ version, authorKind, author, authorName, createdAt }))
      .reverse(),
    pending: await hasPendingDraftJob(db, caseId),
    sender: await replyHeaders(db, caseId, mailFrom),
    suggestedCopies: await caseCopies(db, caseId, versions[0]?.toEmails ?? []),
    files: await listCaseFiles(db, caseId),
  }
}

async function caseCopies(db: DbOrTx, caseId: string, to: string[]): Promise<string[]> {
  const [kase] = await db<{ orgId: string }[]>`select org_id as "orgId" from cases where id = ${caseId}`
  return kase ? suggestedCopies(db, caseId, await loadIntakeContext(db, kase.orgId), to) : []
}
