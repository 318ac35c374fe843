import { recordAudit, userActor } from '../audit/audit.ts'
import type { SessionUser } from '../auth/sessions.ts'
import { severities } from '../cases/terms.ts'
import type { Tx } from '../db.ts'
import { checkEmails, splitList } from '../orgs/addresses.ts'
import { audiences, saveStakeholderLists, type StakeholderList } from './queries.ts'

export const MAX_LIST = 50

/** The posted table (`SEV-1.exec` …) as lists, or the first problem in words. */
export function parseStakeholderForm(form: Record<string, string>): { ok: true; lists: StakeholderList[] } | { ok: false; error: string } {
  const lists: StakeholderList[] = []
  for (const severity of severities) {
    for (const audience of audiences) {
      const checked = checkEmails(splitList(form[`${severity}.${audience}`] ?? ''))
      if (!checked.ok) return { ok: false, error: `${severity} ${audience}: ${checked.problem}.` }
      if (checked.value.length > MAX_LIST) return { ok: false, error: `${severity} ${audience}: at most ${MAX_LIST} addresses.` }
      lists.push({ severity, audience, emails: checked.value })
    }
  }
  return { ok: true, lists }
}

/** Saves every list and audits the whole table as it now stands. */
export async function updateStakeholderLists(tx: Tx, orgId: string, user: SessionUser, lists: StakeholderList[]): Promise<void> {
  await saveStakeholderLists(tx, orgId, lists)
  const summary = Object.fromEntries(lists.filter((l) => l.emails.length).map((l) => [`${l.severity}.${l.audience}`, l.emails]))
  await recordAudit(tx, orgId, { actor: userActor(user), action: 'stakeholders.update', details: { lists: summary } })
}
