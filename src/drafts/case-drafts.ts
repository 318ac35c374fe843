import type { DbOrTx } from '../db.ts'
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
}

export async function loadCaseDrafts(db: DbOrTx, caseId: string): Promise<CaseDrafts> {
  const versions = await listDraftVersions(db, caseId)
  return {
    caseId,
    current: versions[0] ?? null,
    previous: versions[1] ?? null,
    versions: versions.map(({ version, authorKind, author, authorName, createdAt }) => ({ version, authorKind, author, authorName, createdAt })).reverse(),
    pending: await hasPendingDraftJob(db, caseId),
  }
}
