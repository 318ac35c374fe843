import type { DbOrTx } from '../db.ts'

// Four eyes: the people who wrote or edited the text of a version (its authors, as the database
// defines them in draft_text_authors) cannot be its only approver, unless the org allows
// self-approval for the case (self_approval_allowed). The database refuses such an approval
// whatever the app does; these read the same definitions so the app can say so first.

export type FourEyes = { authors: string[]; selfApprovalAllowed: boolean }

export async function loadFourEyes(db: DbOrTx, caseId: string, draftId: string): Promise<FourEyes> {
  const [row] = await db<FourEyes[]>`
    select coalesce(draft_text_authors(${draftId}), '{}') as authors, coalesce(self_approval_allowed(${caseId}), false) as "selfApprovalAllowed"`
  return row!
}

/** True when this approver wrote part of the version and the org does not let them approve it alone. */
export const needsAnotherApprover = (fourEyes: FourEyes, approverId: string) =>
  !fourEyes.selfApprovalAllowed && fourEyes.authors.includes(approverId)
