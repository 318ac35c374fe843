import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { assignOwner } from '../../src/cases/ownership.ts'
import { withOrg } from '../../src/db.ts'
import type { CaseEvent, CaseSummary, EventSink } from '../../src/events/events.ts'
import { eventOfAudit, setEventSubscription } from '../../src/events/events.ts'
import { eventSinks } from '../../src/events/sinks.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runJobsOnce } from '../../src/jobs/runner.ts'
import { testEnv } from '../support/app.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

const db = testDb()
afterAll(() => db.end())

async function queuedEvents(orgId: string): Promise<CaseEvent[]> {
  const rows = await withOrg(
    db,
    orgId,
    (tx) => tx<{ payload: CaseEvent }[]>`
    select payload from jobs where kind = 'case_event' and org_id = ${orgId} order by created_at, id`,
  )
  return rows.map((r) => r.payload)
}

/** An org with a sink set up: only such an org has case events queued. */
async function subscribedOrg() {
  const org = await seedOrg(db)
  await withOrg(db, org.id, (tx) => setEventSubscription(tx, org.id, 'test', true))
  return org
}

describe('case events, from the audit log as it is written', () => {
  it('an org with no sink set up has none queued', async () => {
    const org = await seedOrg(db)
    const agent = { ...(await seedUser(db, org.id, 'agent')), role: 'agent' as const }
    const c = await seedCase(db, org.id)
    await withOrg(db, org.id, (tx) => assignOwner(tx, org.id, c.id, agent.id, agent))
    expect(await queuedEvents(org.id)).toEqual([])
    // Turned off again: none either.
    await withOrg(db, org.id, (tx) => setEventSubscription(tx, org.id, 'test', true))
    await withOrg(db, org.id, (tx) => setEventSubscription(tx, org.id, 'test', false))
    await seedCase(db, org.id)
    expect(await queuedEvents(org.id)).toEqual([])
  })

  it('a case opened by mail and then owned queues case.created and case.assigned, in that transaction', async () => {
    const org = await subscribedOrg()
    const agent = { ...(await seedUser(db, org.id, 'agent')), role: 'agent' as const }
    const c = await seedCase(db, org.id, {
      subject: 'Refund refused — I am writing to the CEO',
      body: 'My card number is 4111 1111 1111 1111.',
    })
    await withOrg(db, org.id, (tx) => assignOwner(tx, org.id, c.id, agent.id, agent))
    const events = await queuedEvents(org.id)
    expect(events.map((e) => e.type)).toEqual(['case.created', 'case.assigned'])
    expect(events.every((e) => e.caseId === c.id)).toBe(true)
    expect(events[1]!.data).toMatchObject({ to: agent.id })
    // Only ids, severities and reasons travel: never what the customer wrote.
    expect(JSON.stringify(events)).not.toMatch(/4111|Refund refused/)
  })

  it('a change rolled back leaves no event', async () => {
    const org = await subscribedOrg()
    const agent = { ...(await seedUser(db, org.id, 'agent')), role: 'agent' as const }
    const c = await seedCase(db, org.id)
    await expect(
      withOrg(db, org.id, async (tx) => {
        await assignOwner(tx, org.id, c.id, agent.id, agent)
        throw new Error('rolled back')
      }),
    ).rejects.toThrow('rolled back')
    expect((await queuedEvents(org.id)).map((e) => e.type)).toEqual(['case.created'])
  })

  it('maps actions to events; a spreadsheet import is history, not news', () => {
    const at = new Date('2026-12-01T10:00:00Z')
    expect(eventOfAudit({ action: 'case.create', caseId: 'c', details: { via: 'csv' } }, at)).toBeNull()
    expect(eventOfAudit({ action: 'case.create', caseId: 'c', details: { via: 'form', source: 'web' } }, at)).toEqual({
      type: 'case.created',
      caseId: 'c',
      at: at.toISOString(),
      data: { via: 'form', source: 'web' },
    })
    expect(eventOfAudit({ action: 'case.confirm', caseId: 'c' }, at)?.type).toBe('case.closed')
    expect(eventOfAudit({ action: 'email.fail', caseId: 'c', details: { error: 'x', permanent: true } }, at)?.data).toEqual({
      permanent: true,
    })
    expect(eventOfAudit({ action: 'note.add', caseId: 'c' }, at)).toBeNull()
    expect(eventOfAudit({ action: 'org.update' }, at)).toBeNull()
  })

  describe('the case_event job', () => {
    const seen: { event: CaseEvent; summary: CaseSummary; orgId: string }[] = []
    const sink: EventSink = {
      name: 'test',
      fanOut: async (_tx, ctx, event, summary) => {
        seen.push({ event, summary, orgId: ctx.orgId })
      },
    }
    eventSinks.push(sink)
    afterEach(() => {
      seen.length = 0
    })
    afterAll(() => {
      eventSinks.splice(eventSinks.indexOf(sink), 1)
    })

    it('hands each event to every sink with the case summary, once, and completes', async () => {
      const org = await subscribedOrg()
      const c = await seedCase(db, org.id, { from: 'Jörg Müller <jorg@kunde.test>', subject: `Beschwerde ${'sehr '.repeat(60)}lang` })
      const env = testEnv({ PUBLIC_URL: 'https://desk.example.com' })
      const deps = { db, env, handlers: jobHandlers(), backoffMs: () => 0, log: () => {} }
      await runJobsOnce(deps, { orgId: org.id })
      await runJobsOnce(deps, { orgId: org.id })
      const mine = seen.filter((s) => s.orgId === org.id)
      expect(mine).toHaveLength(1)
      const { summary } = mine[0]!
      expect(summary).toMatchObject({ id: c.id, label: c.label, customerName: 'Jörg Müller', customerEmail: 'jorg@kunde.test' })
      expect(summary.url).toBe(`https://desk.example.com/cases/${c.id}`)
      // One line, whitespace folded, at most 140 characters; every letter kept.
      expect(summary.subject).toMatch(/^Beschwerde sehr sehr sehr /)
      expect(summary.subject.length).toBeLessThanOrEqual(140)
      const [left] = await withOrg(
        db,
        org.id,
        (tx) => tx<{ n: number }[]>`
        select count(*)::int as n from jobs where kind = 'case_event' and done_at is null`,
      )
      expect(left!.n).toBe(0)
    })
  })
})
