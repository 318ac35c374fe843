import type { DbOrTx } from '../db.ts'
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
  }
}
