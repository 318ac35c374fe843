import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { loadMetrics } from '../../src/metrics/metrics.ts'
import { parsePeriod } from '../../src/metrics/period.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { loadScorecard, type ScoreRow } from '../../src/playbook/scorecard.ts'
import { saveTicketCounts } from '../../src/playbook/ticket-counts.ts'
import { createTestApp } from '../support/app.ts'
import { sessionCookie } from '../support/auth.ts'
import { arrangeCase, minutes } from '../support/digest.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

describe('playbook scorecard', () => {
  let db: Db
  let org: Org
  let admin: { id: string; email: string }
  let adminCookie: string
  const app = () => createTestApp(db)
  const october = { period: 'custom', from: '2026-10-01', to: '2026-10-31' }
  const scorecard = () => withOrg(db, org.id, async (tx) => loadScorecard(tx, await loadMetrics(tx, org.id, parsePeriod(october, 'UTC'))))
  const row = (rows: ScoreRow[], metric: string) => rows.find((r) => r.metric === metric)!
  const setCount = (month: string, tickets: number) =>
    withOrg(db, org.id, (tx) => saveTicketCounts(tx, org.id, admin, [{ month, tickets }], 'form'))

  beforeAll(async () => {
    db = testDb(4)
    org = await seedOrg(db, { timezone: 'UTC' })
    admin = await seedUser(db, org.id, 'admin')
    adminCookie = await sessionCookie(db, { id: admin.id, orgId: org.id })
    // 30 escalations in October, one in September (outside the period).
    for (let i = 0; i < 30; i++) {
      await arrangeCase(db, org.id, { openedAt: new Date(Date.UTC(2026, 9, 1 + i, 12)), customerEmail: `c${i}@customer.test` })
    }
    await arrangeCase(db, org.id, { openedAt: new Date('2026-09-15T12:00:00Z'), customerEmail: 'sept@customer.test' })
  })
  afterAll(() => db.end())

  it('shows every playbook metric with its target; the escalation rate waits for a ticket count', async () => {
    const rows = await scorecard()
    expect(rows.map((r) => [r.metric, r.target])).toEqual([
      ['First response time', 'Per severity SLA'],
      ['Time to resolution', 'Per severity SLA'],
      ['Customer satisfaction', '4.0/5.0+'],
      ['Escalation rate', '< 5%'],
      ['Repeat escalation', '< 10%'],
      ['SLA compliance', '95%+'],
      ['Recovery success', '90%+'],
      ['Prevention implementation', '100%'],
      ['Update cadence', '95%+'],
    ])
    expect(row(rows, 'Escalation rate')).toMatchObject({ status: 'no_data', value: '—' })
    const page = await (
      await app().request('/metrics?period=custom&from=2026-10-01&to=2026-10-31', { headers: { cookie: adminCookie } })
    ).text()
    expect(page).toContain('Playbook scorecard')
    expect(page).toContain('Escalation rate')
  })

  it('a month typed in: 30 escalations of 1,000 tickets is 3%, on target; of 400 it is 7.5%, off', async () => {
    await setCount('2026-10', 1000)
    expect(row(await scorecard(), 'Escalation rate')).toMatchObject({ value: '3%', status: 'met' })
    await setCount('2026-10', 400)
    const rate = row(await scorecard(), 'Escalation rate')
    expect(rate).toMatchObject({ value: '7.5%', status: 'missed' })
    expect(rate.basis).toContain('30 escalations, 400 tickets (2026-10, 1 month)')
    const [audit] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ details: { months: unknown[] } }[]>`
      select details from audit_events where action = 'ticket_counts.set' order by seq desc limit 1`,
    )
    expect(audit!.details.months).toEqual([{ month: '2026-10', tickets: 400, before: 1000 }])
  })

  it('recovery success, prevention implementation and update cadence read their own rows', async () => {
    const opened = new Date('2026-10-20T12:00:00Z')
    const cases = [] as { id: string }[]
    for (let i = 0; i < 3; i++) cases.push(await arrangeCase(db, org.id, { openedAt: opened, customerEmail: `r${i}@customer.test` }))
    const [a, b, c] = cases as [{ id: string }, { id: string }, { id: string }]
    await db`
      insert into recovery_plans (org_id, case_id, impact_level, relationship_maintained, checked_at)
      values (${org.id}, ${a.id}, 'moderate', true, now()), (${org.id}, ${b.id}, 'minor', false, now()),
             (${org.id}, ${c.id}, 'minor', null, null)`
    await db`
      insert into prevention_actions (org_id, case_id, owner_id, title, due_on, status, done_at)
      values (${org.id}, ${a.id}, ${admin.id}, 'Monitor certificates', '2026-10-25', 'done', now()),
             (${org.id}, ${a.id}, ${admin.id}, 'Runbook for renewals', '2026-10-26', 'open', null),
             (${org.id}, ${a.id}, ${admin.id}, 'Train the team', '2999-01-01', 'open', null)`
    // Update deadlines settle when the next one replaces them: in time (met) or after (missed).
    await db`update cases set next_update_due_at = now() + interval '1 hour' where id = ${a.id}`
    await db`update cases set next_update_due_at = now() + interval '3 hours' where id = ${a.id}`
    await db`update cases set next_update_due_at = now() - interval '1 hour' where id = ${b.id}`
    await db`update cases set next_update_due_at = now() + interval '2 hours' where id = ${b.id}`
    // One still running and already past: missed now.
    await db`update cases set next_update_due_at = ${new Date(Date.now() - minutes(5))} where id = ${c.id}`

    const rows = await scorecard()
    expect(row(rows, 'Recovery success')).toMatchObject({ value: '50%', status: 'missed', basis: '1 of 2 recovery plans checked' })
    expect(row(rows, 'Prevention implementation')).toMatchObject({
      value: '50%',
      status: 'missed',
      basis: '1 of 2 actions done or past due',
    })
    const cadence = row(rows, 'Update cadence')
    expect(cadence.basis).toBe('1 of 3 update deadlines')
    expect(cadence.status).toBe('missed')

    await db`update prevention_actions set status = 'done', done_at = now() where case_id = ${a.id} and status = 'open'`
    expect(row(await scorecard(), 'Prevention implementation')).toMatchObject({ value: '100%', status: 'met' })
  })

  it("another org's ticket counts and rows never enter the figures", async () => {
    const other = await seedOrg(db, { timezone: 'UTC' })
    await db`insert into ticket_counts (org_id, month, tickets) values (${other.id}, '2026-10-01', 999999)`
    expect(row(await scorecard(), 'Escalation rate').basis).toContain('400 tickets')
  })
})
