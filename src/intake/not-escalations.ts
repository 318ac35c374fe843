import { recordAudit, userActor } from '../audit/audit.ts'
import { withOrg, type Db } from '../db.ts'
import { AppError, notFound } from '../http/errors.ts'
import { isUuid } from '../http/ids.ts'
import type { Analyzer } from './analyze.ts'
import { processStored, type IntakeOutcome } from './intake.ts'
import type { ModelEnv } from './model.ts'
import { findStoredRaw } from './queries.ts'

/**
 * "Open a case from this message": a person decided a kept not-escalation is one after all. The
 * stored bytes go through the normal case creation, with that person as the actor; the unique
 * message key keeps two clicks (or two people) to one case.
 */
export async function openCaseFromNotEscalation(
  db: Db,
  input: { orgId: string; rawId: string; user: { id: string }; analyze?: Analyzer; env?: ModelEnv },
): Promise<IntakeOutcome> {
  const { orgId, rawId, user } = input
  if (!isUuid(rawId)) throw notFound('That message')
  const stored = await withOrg(db, orgId, (tx) => findStoredRaw(tx, rawId))
  if (!stored) throw notFound('That message')
  if (stored.status !== 'not_escalation') throw new AppError('INVALID_STATE', 'That message is no longer kept as a not-escalation.')
  if (stored.caseId) throw new AppError('INVALID_STATE', 'That message is already attached to a case.')
  const outcome = await processStored(db, {
    orgId,
    rawId,
    raw: new Uint8Array(stored.raw),
    provider: stored.provider,
    sha256: stored.sha256,
    envelope: stored.envelope,
    analyze: input.analyze,
    env: input.env,
    escalatedBy: userActor(user),
  })
  await withOrg(db, orgId, (tx) =>
    recordAudit(tx, orgId, {
      actor: userActor(user),
      action: 'message.escalate',
      details: { rawId, outcome: outcome.status, ...(outcome.case ? { case: outcome.case } : {}) },
    }),
  )
  return outcome
}
