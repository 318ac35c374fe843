import type { DbOrTx } from '../db.ts'
import { AppError } from '../http/errors.ts'
import type { CaseStatus, Severity, Source } from './terms.ts'

export type CaseRecord = {
  id: string
  number: number
  status: CaseStatus
  severity: Severity
  source: Source
  ownerId: string | null
  customerEmail: string | null
  firstResponseAt: Date | null
  resolvedAt: Date | null
  customerConfirmedAt: Date | null
}

/**
 * Locks the case row for the rest of the transaction: state changes on one case are serial.
 * NO KEY UPDATE, not UPDATE: inserts that reference the case (audit events, messages) take a
 * KEY SHARE lock, which FOR UPDATE would block, deadlocking against the audit chain's head row.
 */
export async function lockCase(tx: DbOrTx, caseId: string): Promise<CaseRecord> {
  const [row]: [CaseRecord?] = await tx`
    select id, number, status, severity, source, owner_id as "ownerId", customer_email as "customerEmail",
           first_response_at as "firstResponseAt", resolved_at as "resolvedAt",
           customer_confirmed_at as "customerConfirmedAt"
    from cases where id = ${caseId} for no key update`
  // RLS hides other orgs' cases, so "not yours" and "does not exist" are the same 404.
  if (!row) throw new AppError('NOT_FOUND', 'That case does not exist.')
  return row
}
