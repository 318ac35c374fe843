import { caseLabel } from '../cases/terms.ts'
import type { DbOrTx } from '../db.ts'
import { csvLine } from '../imports/csv-safety.ts'

type AuditExportRow = {
  seq: string
  createdAt: Date
  actorKind: string
  actorId: string | null
  actorEmail: string | null
  action: string
  caseNumber: number | null
  details: unknown
  hash: string
}

/** The audit log as CSV (per org, or one case), with each row's hash so a copy can be checked. */
export async function* exportAudit(db: DbOrTx, caseId: string | null = null): AsyncGenerator<string> {
  yield '\uFEFF' + csvLine(['Seq', 'Time', 'Actor kind', 'Actor', 'Action', 'Case', 'Details', 'Hash'])
  const cursor = db<AuditExportRow[]>`
    select e.seq, e.created_at as "createdAt", e.actor_kind as "actorKind", e.actor_id as "actorId",
           u.email as "actorEmail", e.action, c.number as "caseNumber", e.details, e.hash
    from audit_events e
    left join app_users u on u.id::text = e.actor_id
    left join cases c on c.id = e.case_id
    where ${caseId}::uuid is null or e.case_id = ${caseId}
    order by e.seq`.cursor(500)
  for await (const rows of cursor) {
    yield rows
      .map((r) =>
        csvLine([
          r.seq,
          r.createdAt.toISOString(),
          r.actorKind,
          r.actorEmail ?? r.actorId,
          r.action,
          r.caseNumber ? caseLabel(r.caseNumber) : null,
          JSON.stringify(r.details),
          r.hash,
        ]),
      )
      .join('')
  }
}
