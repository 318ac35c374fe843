import type { Severity, Source } from '../cases/terms.ts'
import { countEarlierEscalations } from '../cases/repeats.ts'
import type { DbOrTx } from '../db.ts'
import { recoveryLabels, type RecoveryAction } from '../drafts/schema.ts'
import { proportionalRecovery } from '../drafts/templates.ts'

export type RecoverySuggestion = { action: RecoveryAction | null; label: string; rationale: string }

/**
 * The recovery proportional to the impact (severity, account, repeat escalations), by the same
 * rule the drafts use: apology; + service credit; executive call + credit + roadmap; in person
 * + a significant gesture. Legal and regulatory matters get none (decided with counsel).
 */
export async function recoverySuggestion(db: DbOrTx, caseId: string): Promise<RecoverySuggestion | null> {
  const [row] = await db<{ source: Source; severity: Severity; health: string | null; annualRevenue: string | null; earlier: number }[]>`
    select c.source, c.severity, a.health, a.annual_revenue::text as "annualRevenue",
           ${countEarlierEscalations(db)} as earlier
    from cases c left join accounts a on a.id = c.account_id
    where c.id = ${caseId}`
  if (!row) return null
  const { action, rationale } = proportionalRecovery({
    kase: { source: row.source, severity: row.severity },
    account: row.health || row.annualRevenue ? { health: row.health, annualRevenue: row.annualRevenue } : null,
    earlierCases: Array.from({ length: row.earlier }),
  })
  return { action, label: action ? recoveryLabels[action] : 'No recovery offer', rationale }
}
