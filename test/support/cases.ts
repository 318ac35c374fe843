import { withOrg, type Db } from '../../src/db.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { buildEml } from './db.ts'

/** A case made the way real ones are: an email through intake. Returns its id and label. */
export async function seedCase(db: Db, orgId: string, mail: Parameters<typeof buildEml>[0] = {}) {
  const outcome = await ingestMessage(db, { orgId, raw: buildEml(mail), provider: 'test' })
  if (outcome.status !== 'created') throw new Error(`expected a new case, got ${outcome.status}`)
  const [row] = await withOrg(db, orgId, (tx) => tx<{ id: string }[]>`select id from cases where 'ESC-' || number = ${outcome.case}`)
  return { id: row!.id, label: outcome.case }
}

export async function auditActions(db: Db, orgId: string, caseId: string) {
  return withOrg(
    db,
    orgId,
    async (tx) =>
      await tx<{ action: string; details: Record<string, unknown>; actorId: string | null }[]>`
      select action, details, actor_id as "actorId" from audit_events where case_id = ${caseId} order by seq`,
  )
}
