import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { changeStatus, confirmResolution, recordOutboundSent } from '../../src/cases/lifecycle.ts'
import { acknowledgeCase, assignOwner } from '../../src/cases/ownership.ts'
import { changeSeverity, severityOverridesByWeek } from '../../src/cases/severity.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { auditActions, seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

describe('case lifecycle', () => {
  let db: Db
  let org: Org
  let agent: { id: string; role: 'agent' }
  let otherAgent: { id: string; role: 'agent' }
  let approver: { id: string; role: 'approver' }
  const as = (u: { id: string }) => ({ kind: 'user' as const, id: u.id })
  const inOrg = <T>(fn: Parameters<typeof withOrg<T>>[2]) => withOrg(db, org.id, fn)
  const caseRow = (id: string) => inOrg(async (tx) => (await tx`select * from cases where id = ${id}`)[0]!)

  beforeAll(async () => {
    db = testDb(6)
    org = await seedOrg(db)
    agent = { id: (await seedUser(db, org.id, 'agent')).id, role: 'agent' }
    otherAgent = { id: (await seedUser(db, org.id, 'agent')).id, role: 'agent' }
    approver = { id: (await seedUser(db, org.id, 'approver')).id, role: 'approver' }
  })
  afterAll(() => db.end())

  it('the first assignment triages the case and locks ownership; agents cannot take it over', async () => {
    const c = await seedCase(db, org.id)
    await inOrg((tx) => assignOwner(tx, org.id, c.id, agent.id, agent))
    expect(await caseRow(c.id)).toMatchObject({ owner_id: agent.id, status: 'triaged' })
    await expect(inOrg((tx) => assignOwner(tx, org.id, c.id, otherAgent.id, otherAgent, 'I have time'))).rejects.toThrow(
      /only an approver or admin can reassign/,
    )
    await expect(inOrg((tx) => assignOwner(tx, org.id, c.id, otherAgent.id, approver))).rejects.toThrow(/needs a written reason/)
    await inOrg((tx) => assignOwner(tx, org.id, c.id, otherAgent.id, approver, 'Dana is on leave'))
    expect((await caseRow(c.id)).owner_id).toBe(otherAgent.id)
    const events = await auditActions(db, org.id, c.id)
    expect(events.map((e) => e.action)).toEqual(['case.create', 'case.assign', 'case.reassign'])
    expect(events[2]).toMatchObject({ actorId: approver.id, details: { from: agent.id, to: otherAgent.id, reason: 'Dana is on leave' } })
  })

  it('only the owner acknowledges, once', async () => {
    const c = await seedCase(db, org.id)
    await inOrg((tx) => assignOwner(tx, org.id, c.id, agent.id, agent))
    await expect(inOrg((tx) => acknowledgeCase(tx, org.id, c.id, otherAgent))).rejects.toThrow(/Only the owner/)
    await inOrg((tx) => acknowledgeCase(tx, org.id, c.id, agent))
    await expect(inOrg((tx) => acknowledgeCase(tx, org.id, c.id, agent))).rejects.toThrow(/already acknowledged/)
    expect((await caseRow(c.id)).acknowledged_at).toBeInstanceOf(Date)
    expect((await auditActions(db, org.id, c.id)).map((e) => e.action)).toContain('case.acknowledge')
  })

  it('refuses illegal transitions with a sentence a person understands', async () => {
    const c = await seedCase(db, org.id)
    await expect(inOrg((tx) => changeStatus(tx, org.id, c.id, as(agent), { to: 'resolved' }))).rejects.toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringMatching(
        /^ESC-\d+ is new; from there it can move to triaged, awaiting approval, in progress, closed, not resolved\.$/,
      ),
    })
    await expect(inOrg((tx) => changeStatus(tx, org.id, c.id, as(agent), { to: 'triaged' }))).rejects.toThrow(/needs an owner/)
  })

  it('resolving asks the customer to confirm; closing without confirmation needs a reason', async () => {
    const c = await seedCase(db, org.id)
    await inOrg((tx) => assignOwner(tx, org.id, c.id, agent.id, agent))
    await inOrg((tx) => changeStatus(tx, org.id, c.id, as(agent), { to: 'resolved' }))
    const resolved = await caseRow(c.id)
    expect(resolved).toMatchObject({ status: 'resolved', closed_at: null })
    const jobs = await inOrg((tx) => tx`select payload from jobs where payload->>'caseId' = ${c.id} order by id`)
    expect(jobs.map((j) => j.payload)).toContainEqual({ caseId: c.id, purpose: 'resolution' })
    await expect(inOrg((tx) => changeStatus(tx, org.id, c.id, as(agent), { to: 'closed' }))).rejects.toThrow(
      /has not confirmed.*give a reason/,
    )
    await inOrg((tx) => changeStatus(tx, org.id, c.id, as(agent), { to: 'closed', reason: 'Customer unreachable for 30 days' }))
    expect(await caseRow(c.id)).toMatchObject({ status: 'closed', close_reason: 'Customer unreachable for 30 days' })
    const actions = await auditActions(db, org.id, c.id)
    expect(actions.at(-1)).toMatchObject({
      action: 'case.close',
      details: { from: 'resolved', to: 'closed', reason: 'Customer unreachable for 30 days' },
    })
  })

  it('a confirmed resolution closes without a reason', async () => {
    const c = await seedCase(db, org.id)
    await inOrg((tx) => assignOwner(tx, org.id, c.id, agent.id, agent))
    await inOrg((tx) => changeStatus(tx, org.id, c.id, as(agent), { to: 'resolved' }))
    await inOrg((tx) => confirmResolution(tx, org.id, c.id, { kind: 'customer', id: 'pat@customer.test' }))
    expect((await caseRow(c.id)).status).toBe('closed')
  })

  it('severity changes after triage need a reason, move the clocks, and show in the weekly overrides', async () => {
    const c = await seedCase(db, org.id)
    const before = await caseRow(c.id)
    await inOrg((tx) => changeSeverity(tx, org.id, c.id, 'SEV-2', as(agent))) // still new: no reason needed
    await inOrg((tx) => assignOwner(tx, org.id, c.id, agent.id, agent))
    await expect(inOrg((tx) => changeSeverity(tx, org.id, c.id, 'SEV-1', as(agent)))).rejects.toThrow(/needs a reason/)
    await inOrg((tx) => changeSeverity(tx, org.id, c.id, 'SEV-1', as(agent), 'Customer is a journalist'))
    const after = await caseRow(c.id)
    expect(after.severity).toBe('SEV-1')
    expect(after.first_response_due_at.getTime() - after.opened_at.getTime()).toBe(15 * 60_000)
    // Intake classified this plain complaint; its first-response target followed that severity.
    const initialTarget = { 'SEV-1': 15, 'SEV-2': 60, 'SEV-3': 240, 'SEV-4': 1440 }[before.severity as string]!
    expect(before.first_response_due_at.getTime() - before.opened_at.getTime()).toBe(initialTarget * 60_000)
    const changes = (await auditActions(db, org.id, c.id)).filter((e) => e.action === 'case.severity_change')
    expect(changes.map((e) => e.details)).toEqual([
      { from: before.severity, to: 'SEV-2' },
      { from: 'SEV-2', to: 'SEV-1', reason: 'Customer is a journalist' },
    ])
    const weeks = await inOrg((tx) => severityOverridesByWeek(tx))
    expect(weeks.find((w) => w.actorId === agent.id)).toMatchObject({ raised: 2, lowered: 0 })
  })

  it('a sent reply stops the first-response clock and starts the update cadence; waiting on the customer pauses resolution', async () => {
    const c = await seedCase(db, org.id)
    await inOrg((tx) => changeSeverity(tx, org.id, c.id, 'SEV-2', as(agent)))
    await inOrg((tx) => assignOwner(tx, org.id, c.id, agent.id, agent))
    const sentAt = new Date()
    await inOrg((tx) => recordOutboundSent(tx, org.id, c.id, sentAt, { kind: 'system', id: null }))
    const responded = await caseRow(c.id)
    expect(responded.status).toBe('responded')
    expect(responded.first_response_at.getTime()).toBe(sentAt.getTime())
    expect(responded.next_update_due_at.getTime()).toBe(sentAt.getTime() + 2 * 3600_000)
    expect(responded.next_deadline_at.getTime()).toBe(sentAt.getTime() + 2 * 3600_000)

    await inOrg((tx) => changeStatus(tx, org.id, c.id, as(agent), { to: 'waiting_customer', at: new Date(sentAt.getTime() + 60_000) }))
    const waiting = await caseRow(c.id)
    expect(waiting.next_deadline_at).toBeNull() // nothing runs while we wait on the customer
    await inOrg((tx) => changeStatus(tx, org.id, c.id, as(agent), { to: 'in_progress', at: new Date(sentAt.getTime() + 61 * 60_000) }))
    const resumed = await caseRow(c.id)
    expect(resumed.resolution_due_at.getTime() - resumed.opened_at.getTime()).toBe((8 * 60 + 60) * 60_000)
  })
})
