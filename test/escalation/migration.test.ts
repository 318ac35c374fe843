import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, type Db } from '../../src/db.ts'
import { findChainCandidates } from '../../src/escalation/scan.ts'
import { migrate } from '../../src/migrate.ts'
import { dropDatabase, testDatabaseName, withDatabase } from '../support/databases.ts'
import { arrangeCase, minutes } from '../support/digest.ts'

// A desk upgraded while a case is at risk and its owner was already alerted: the at-risk alert
// of that deadline counts as the chain's first step, so the upgrade does not mail it again.

describe('migrating at-risk alerts into escalation steps (00029)', () => {
  const name = testDatabaseName('escalation_migration')
  let db: Db
  beforeAll(async () => {
    db = connect(await withDatabase(name), { max: 1 })
    await migrate(db, undefined, { upTo: 28 })
  })
  afterAll(async () => {
    await db.end()
    await dropDatabase(name)
  })

  it('an alerted deadline is a claimed at_risk step; a deadline nobody was alerted about is still due', async () => {
    const [org] = await db<{ id: string }[]>`insert into orgs (slug, name) values ('upgrade-co', 'Upgrade Co') returning id`
    const now = new Date(Math.floor(Date.now() / 1000) * 1000)
    const deadline = new Date(now.getTime() + minutes(40))
    const clock = { nextDeadlineAt: deadline, firstResponseDueAt: deadline, nextAtRiskAt: new Date(now.getTime() - minutes(5)) }
    const alerted = await arrangeCase(db, org!.id, { number: 1001, subject: 'Alerted before the upgrade', ...clock })
    const quiet = await arrangeCase(db, org!.id, { number: 1002, subject: 'Not alerted yet', ...clock })
    const epoch = Math.floor(deadline.getTime() / 1000)
    await db`
      insert into alerts_sent (org_id, kind, alert_key, case_id, idempotency_key, status, recipients)
      values (${org!.id}, 'at_risk', ${`at_risk/${alerted.id}/${epoch}`}, ${alerted.id}, ${`alert/${org!.id}/at_risk/${alerted.id}/${epoch}`},
              'sent', '{owner@upgrade.test}')`

    await migrate(db, undefined, { upTo: 29 })
    expect(await db`select case_id, step, clock, deadline, step_key, status, recipients from escalation_steps`).toEqual([
      {
        case_id: alerted.id,
        step: 'at_risk',
        clock: 'first response',
        deadline,
        step_key: `chain/at_risk/${alerted.id}/${epoch}`,
        status: 'queued',
        recipients: ['owner@upgrade.test'],
      },
    ])
    const due = await findChainCandidates(db, now, [org!.id])
    expect(due.map((d) => [d.caseId, d.step])).toEqual([[quiet.id, 'at_risk']])
  })
})
