import type { DbOrTx } from '../db.ts'
import { hasEarlierEscalation, isEarlierEscalation } from '../cases/repeats.ts'
import { finishedWithoutCompletedReview, overdueRecoveryItemsByCase } from '../recovery/queries.ts'

// The playbook's red flags, each defined once. Six are conditions over a case row `c` at an
// instant (redFlagsSql); two are the recovery feature's facts (src/recovery/queries.ts: overdue
// recovery items, a finished case without its required review), merged in by addRecoveryFlags.
// The case page, the queue and the digest all go through both, so they cannot disagree; all are
// computed on read from the case's own rows (no snapshot to go stale).

export const redFlagCodes = [
  'delayed_acknowledgment',
  'under_severity',
  'communication_gap',
  'blame_language',
  'premature_closure',
  'no_follow_through',
  'missing_rca',
  'pattern_blindness',
] as const

export type RedFlag = (typeof redFlagCodes)[number]

/** What each flag is called and what raised it, in the words the case page and the digest use. */
export const redFlagText: Record<RedFlag, { label: string; means: string }> = {
  delayed_acknowledgment: {
    label: 'Delayed acknowledgment',
    means: 'The customer is waiting past the first-response deadline without a reply.',
  },
  under_severity: {
    label: 'Under-severity',
    means: 'The severity is lower than intake read it, or than it was before someone lowered it.',
  },
  communication_gap: {
    label: 'Communication gap',
    means: "The customer's update is overdue on the severity's cadence.",
  },
  blame_language: {
    label: 'Blame language',
    means: 'A reply that was sent blamed the customer or another team.',
  },
  premature_closure: {
    label: 'Premature closure',
    means: 'Closed without the customer confirming the resolution.',
  },
  no_follow_through: {
    label: 'No follow-through',
    means: 'A recovery item promised to the customer is overdue.',
  },
  missing_rca: {
    label: 'Missing RCA',
    means: 'Resolved or closed without a completed post-incident review (SEV-1/2, or the severities the org requires one for).',
  },
  pattern_blindness: {
    label: 'Pattern blindness',
    means: 'A repeat escalation whose notes and review do not mention the earlier case (ESC-n).',
  },
}

// Passed as parameters, so no layer of string escaping can change the regex.
const wordStart = '\\yESC-'
const wordEnd = '\\y'

type Fragment = ReturnType<typeof isEarlierEscalation>

const finished = (db: DbOrTx) => db`c.status in ('resolved', 'closed')`

/** One condition per flag over `c` at `now` (an SQL timestamptz). */
function conditions(db: DbOrTx, now: Fragment): Record<Exclude<RedFlag, RecoveryFlag>, Fragment> {
  return {
    delayed_acknowledgment: db`(c.first_response_at is null and c.first_response_due_at <= ${now} and not ${finished(db)})`,
    // 'SEV-1' < 'SEV-2' as text: a greater severity string is a lower severity. least() skips nulls
    // (a case entered by hand has no intake reading; one never changed has no earlier severity).
    under_severity: db`(c.severity > least(
      c.intake->>'severity',
      (select min(e.details->>'from') from audit_events e where e.case_id = c.id and e.action = 'case.severity_change')))`,
    communication_gap: db`(c.next_update_due_at <= ${now} and c.status not in ('resolved', 'closed', 'waiting_customer'))`,
    blame_language: db`exists (
      select 1 from outbox o join drafts d on d.id = o.draft_id
      where o.case_id = c.id and o.status = 'sent' and d.guardrail_flags @> '[{"code": "blame"}]')`,
    premature_closure: db`(c.status = 'closed' and c.customer_confirmed_at is null and c.merged_into is null)`,
    // Linked = a note or the review names the earlier case; the \y word boundaries keep ESC-1 from
    // matching ESC-12. A case with neither a note nor a review links nothing: that is asked first
    // (two index probes), so most cases never read their earlier ones one by one, which for a busy
    // account is hundreds of rows per case (the queue's 200 rows, bench/queue.ts).
    pattern_blindness: db`(${hasEarlierEscalation(db)} and (
      (not exists (select 1 from messages m where m.case_id = c.id and m.direction = 'note')
       and not exists (select 1 from incident_reviews r where r.case_id = c.id))
      or not exists (
        select 1 from cases earlier
        where ${isEarlierEscalation(db)}
          and (exists (select 1 from messages m where m.case_id = c.id and m.direction = 'note'
                         and m.text_body ~ (${wordStart} || earlier.number || ${wordEnd}))
               or exists (select 1 from incident_reviews r where r.case_id = c.id
                            and concat_ws(' ', r.summary, r.root_cause, r.lessons) ~ (${wordStart} || earlier.number || ${wordEnd}))))))`,
  }
}

/**
 * The case's red flags as a text[] column over `c` (cases), in the playbook's order. `at` fakes
 * the clock (tests; the digest's one instant); without it, the statement's now(). `only` asks
 * just those flags (the digest's finished cases, which it lists only for how they ended).
 */
export function redFlagsSql(db: DbOrTx, at?: Date, only?: readonly RedFlag[]) {
  const now = at ? db`${at}::timestamptz` : db`now()`
  const parts: Fragment[] = Object.entries(conditions(db, now))
    .filter(([code]) => !only || only.includes(code as RedFlag))
    .map(([code, condition]) => db`case when ${condition} then ${code} end`)
  if (!parts.length) return db`array[]::text[]`
  const list = parts.reduce((all, part, i) => (i === 0 ? part : db`${all}, ${part}`))
  return db`array_remove(array[${list}]::text[], null)`
}

type RecoveryFlag = 'no_follow_through' | 'missing_rca'

/**
 * Adds the two recovery flags to rows that carry the SQL ones. `finished`: whether any row can
 * be a resolved or closed case (the queue's cannot), or which rows are, since only those can miss
 * their review.
 * Both facts are read for these rows only (by case id), never for the org's whole history.
 */
export async function addRecoveryFlags<T extends { id: string; redFlags: string[] }>(
  db: DbOrTx,
  rows: T[],
  options: { at?: Date; finished: boolean | ((row: T) => boolean) },
): Promise<T[]> {
  if (!rows.length) return rows
  const ids = rows.map((r) => r.id)
  const { finished } = options
  const finishedIds = typeof finished === 'function' ? rows.filter(finished).map((r) => r.id) : finished ? ids : []
  const overdue = new Set((await overdueRecoveryItemsByCase(db, options.at ?? new Date(), ids)).map((r) => r.caseId))
  const unreviewed = finishedIds.length
    ? new Set((await finishedWithoutCompletedReview(db, finishedIds)).map((r) => r.caseId))
    : new Set<string>()
  return rows.map((row) => {
    const extra = [overdue.has(row.id) && 'no_follow_through', unreviewed.has(row.id) && 'missing_rca'].filter((f) => f !== false)
    return extra.length ? { ...row, redFlags: orderFlags([...row.redFlags, ...extra]) } : { ...row, redFlags: orderFlags(row.redFlags) }
  })
}

/** Flags in the playbook's order, whatever order SQL gave them. */
export const orderFlags = (flags: string[]): RedFlag[] => redFlagCodes.filter((code) => flags.includes(code))

/** One case's flags now (or at `at`); empty when the case is not in the org. */
export async function caseRedFlags(db: DbOrTx, caseId: string, at?: Date): Promise<RedFlag[]> {
  const [row] = await db<{ id: string; redFlags: string[]; finished: boolean }[]>`
    select c.id, ${redFlagsSql(db, at)} as "redFlags", ${finished(db)} as finished from cases c where c.id = ${caseId}`
  if (!row) return []
  const [flagged] = await addRecoveryFlags(db, [row], { at, finished: row.finished })
  return orderFlags(flagged!.redFlags)
}
