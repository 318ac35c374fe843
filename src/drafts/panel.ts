import type { Q } from '../db.ts'
import { authorLabel, type DraftPanel } from '../../views/draft.tsx'
import { hasPendingDraftJob, listDraftVersions } from './queries.ts'

/** The case page's reply section: the current version, the one before (for the diff), the list. */
export async function loadDraftPanel(db: Q, caseId: string): Promise<DraftPanel> {
  const versions = await listDraftVersions(db, caseId)
  return {
    caseId,
    current: versions[0] ?? null,
    previous: versions[1] ?? null,
    versions: versions.map((v) => ({ version: v.version, author: authorLabel(v), createdAt: v.createdAt })).reverse(),
    pending: await hasPendingDraftJob(db, caseId),
  }
}
