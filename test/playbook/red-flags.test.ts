import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decide } from '../../src/approvals/decide.ts'
import { addNote } from '../../src/cases/notes.ts'
import { changeSeverity } from '../../src/cases/severity.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { caseRedFlags, type RedFlag } from '../../src/playbook/red-flags.ts'
import { listQueue } from '../../src/queue/queries.ts'
import { createTestApp } from '../support/app.ts'
import { sessionCookie } from '../support/auth.ts'
import { arrangeCase, minutes } from '../support/digest.ts'
import { seedDraft } from '../support/drafts.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

// Every red flag raised and not raised, the clock faked by the instant each read is made at.
describe('red flags', () => {
  let db: Db
  let org: Org
  let approver: { id: string; email: string }
  const t0 = new Date('2026-11-20T09:00:00Z')
  const at = (offsetMinutes: number) => new Date(t0.getTime() + minutes(offsetMinutes))
  const flagsAt = (caseId: string, when = at(0)) => withOrg(db, org.id, (tx) => caseRedFlags(tx, caseId, when))
  const customer = () => `pat-${randomBytes(4).toString('hex')}@customer.test`
  const arrange = (c: Parameters<typeof arrangeCase>[2] = {}) => arrangeCase(db, org.id, { openedAt: t0, customerEmail: customer(), ...c })

  beforeAll(async () => {
    db = testDb(4)
    org = await seedOrg(db, { timezone: 'UTC' })
    approver = await seedUser(db, org.id, 'approver')
  })
  afterAll(() => db.end())

  it('delayed acknowledgment: only while the customer waits past the first-response deadline', async () => {
    const waiting = await arrange({ firstResponseDueAt: at(15) })
    expect(await flagsAt(waiting.id, at(10))).toEqual([])
    expect(await flagsAt(waiting.id, at(16))).toEqual(['delayed_acknowledgment'])
    const answered = await arrange({ firstResponseDueAt: at(15), firstResponseAt: at(40) })
    expect(await flagsAt(answered.id, at(60))).toEqual([])
    const resolved = await arrange({ status: 'resolved', resolvedAt: at(5), firstResponseDueAt: at(15) })
    expect(await flagsAt(resolved.id, at(60))).not.toContain('delayed_acknowledgment')
  })

  it('under-severity: below what intake read, or lowered from what it was', async () => {
    const belowIntake = await arrange({ severity: 'SEV-3' })
    await db`update cases set intake = ${db.json({ severity: 'SEV-2' })} where id = ${belowIntake.id}`
    expect(await flagsAt(belowIntake.id)).toEqual(['under_severity'])
    const asRead = await arrange({ severity: 'SEV-2' })
    await db`update cases set intake = ${db.json({ severity: 'SEV-2' })} where id = ${asRead.id}`
    expect(await flagsAt(asRead.id)).toEqual([])
    const raisedByIntake = await arrange({ severity: 'SEV-1' })
    await db`update cases set intake = ${db.json({ severity: 'SEV-2' })} where id = ${raisedByIntake.id}`
    expect(await flagsAt(raisedByIntake.id)).toEqual([])

    const lowered = await arrange({ severity: 'SEV-2' })
    const actor = { kind: 'user' as const, id: approver.id }
    await withOrg(db, org.id, (tx) => changeSeverity(tx, org.id, lowered.id, 'SEV-3', actor, 'only one user affected'))
    expect(await flagsAt(lowered.id, new Date())).toContain('under_severity')
    // Raised back to where it was: nothing is under-classified any more.
    await withOrg(db, org.id, (tx) => changeSeverity(tx, org.id, lowered.id, 'SEV-2', actor, 'more users now'))
    expect(await flagsAt(lowered.id, new Date())).not.toContain('under_severity')
  })

  it("communication gap: the customer's update is overdue, unless we are waiting on them", async () => {
    const running = await arrange({ firstResponseAt: at(5), nextUpdateDueAt: at(125) })
    expect(await flagsAt(running.id, at(120))).toEqual([])
    expect(await flagsAt(running.id, at(130))).toEqual(['communication_gap'])
    const waitingOnCustomer = await arrange({ status: 'waiting_customer', firstResponseAt: at(5), nextUpdateDueAt: at(125) })
    expect(await flagsAt(waitingOnCustomer.id, at(130))).toEqual([])
  })

  it('blame language: in a reply that was sent, not in a draft nobody sent', async () => {
    const blame = [{ code: 'blame', severity: 'warn', message: 'Blames', evidence: 'you should have read the manual' }] as never
    const sent = await arrange({ status: 'awaiting_approval' })
    const outboxId = await approvedReply(sent.id, blame)
    expect(await flagsAt(sent.id)).toEqual([])
    await db`update outbox set status = 'sent', sent_at = now() where id = ${outboxId}`
    expect(await flagsAt(sent.id)).toEqual(['blame_language'])

    const clean = await arrange({ status: 'awaiting_approval' })
    const cleanOutbox = await approvedReply(clean.id, [])
    await db`update outbox set status = 'sent', sent_at = now() where id = ${cleanOutbox}`
    expect(await flagsAt(clean.id)).toEqual([])
  })

  it('premature closure: closed without the customer confirming', async () => {
    const closed = await arrange({ status: 'closed', resolvedAt: at(60), closedAt: at(70) })
    expect(await flagsAt(closed.id, at(80))).toEqual(['premature_closure'])
    const confirmed = await arrange({ status: 'closed', resolvedAt: at(60), closedAt: at(70) })
    await db`update cases set customer_confirmed_at = ${at(70)} where id = ${confirmed.id}`
    expect(await flagsAt(confirmed.id, at(80))).toEqual([])
    const resolved = await arrange({ status: 'resolved', resolvedAt: at(60) })
    expect(await flagsAt(resolved.id, at(80))).toEqual([])
  })

  it('no follow-through: a recovery item still open after its due day, in the org calendar', async () => {
    const c = await arrange({ firstResponseAt: at(5) })
    const [item] = await db<{ id: string }[]>`
      insert into recovery_items (org_id, case_id, kind, title, owner_id, due_on)
      values (${org.id}, ${c.id}, 'apology', 'Call Pat to apologise', ${approver.id}, '2026-11-21') returning id`
    expect(await flagsAt(c.id, new Date('2026-11-21T23:30:00Z'))).toEqual([])
    expect(await flagsAt(c.id, new Date('2026-11-22T00:30:00Z'))).toEqual(['no_follow_through'])
    await db`update recovery_items set status = 'done', done_at = now() where id = ${item!.id}`
    expect(await flagsAt(c.id, new Date('2026-11-22T00:30:00Z'))).toEqual([])
  })

  it('missing RCA: a finished SEV-1/2 case without a completed review', async () => {
    const unreviewed = await arrange({ severity: 'SEV-1', status: 'resolved', resolvedAt: at(60) })
    expect(await flagsAt(unreviewed.id, at(80))).toEqual(['missing_rca'])
    await db`insert into incident_reviews (org_id, case_id, root_cause) values (${org.id}, ${unreviewed.id}, 'Expired certificate')`
    expect(await flagsAt(unreviewed.id, at(80))).toEqual(['missing_rca'])
    await db`update incident_reviews set completed_at = now() where case_id = ${unreviewed.id}`
    expect(await flagsAt(unreviewed.id, at(80))).toEqual([])
    const minor = await arrange({ severity: 'SEV-3', status: 'resolved', resolvedAt: at(60) })
    expect(await flagsAt(minor.id, at(80))).toEqual([])
    const open = await arrange({ severity: 'SEV-1', firstResponseAt: at(5) })
    expect(await flagsAt(open.id, at(80))).toEqual([])
  })

  it('pattern blindness: a repeat whose notes do not name the earlier case', async () => {
    const email = customer()
    const earlier = await arrange({ customerEmail: email, openedAt: at(-60 * 24 * 10), firstResponseAt: at(-60 * 24 * 10 + 5) })
    const repeat = await arrange({ customerEmail: email, firstResponseAt: at(5) })
    expect(await flagsAt(earlier.id)).toEqual([])
    expect(await flagsAt(repeat.id)).toEqual(['pattern_blindness'])
    // ESC-<n>0 is another case: a prefix is not a link.
    await withOrg(db, org.id, (tx) => addNote(tx, org.id, repeat.id, approver, `Looks like ESC-${earlier.number}0 again?`))
    expect(await flagsAt(repeat.id)).toEqual(['pattern_blindness'])
    await withOrg(db, org.id, (tx) => addNote(tx, org.id, repeat.id, approver, `Repeat of ESC-${earlier.number}: same courier.`))
    expect(await flagsAt(repeat.id)).toEqual([])
    // Outside the 90-day window it is a different relationship, not a repeat.
    const old = customer()
    await arrange({ customerEmail: old, openedAt: at(-60 * 24 * 120) })
    const later = await arrange({ customerEmail: old })
    expect(await flagsAt(later.id)).toEqual([])
  })

  it('shows on the case page and in the queue, from the same definitions', async () => {
    const c = await arrange({ status: 'triaged', firstResponseDueAt: new Date(Date.now() - minutes(5)) })
    const expected: RedFlag[] = ['delayed_acknowledgment']
    expect(await withOrg(db, org.id, (tx) => caseRedFlags(tx, c.id))).toEqual(expected)
    const rows = await withOrg(db, org.id, (tx) => listQueue(tx, { limit: 500 }))
    expect(rows.find((r) => r.id === c.id)?.redFlags).toEqual(expected)
    const quiet = rows.find((r) => r.redFlags.length === 0)
    expect(quiet).toBeDefined()

    const cookie = await sessionCookie(db, { id: approver.id, orgId: org.id })
    const app = createTestApp(db)
    const casePage = await (await app.request(`/cases/${c.id}`, { headers: { cookie } })).text()
    expect(casePage).toContain('id="red-flags"')
    expect(casePage).toContain('The customer is waiting past the first-response deadline without a reply.')
    const queue = await (await app.request('/', { headers: { cookie } })).text()
    const row = queue.slice(queue.indexOf(`id="case-${c.id}"`))
    expect(row.slice(0, row.indexOf('</tr>'))).toContain('Delayed acknowledgment')
    const quietRow = queue.slice(queue.indexOf(`id="case-${quiet!.id}"`))
    expect(quietRow.slice(0, quietRow.indexOf('</tr>'))).not.toContain('red-flag')
  })

  /** An approved reply of a draft carrying `flags`, queued in the outbox (not yet sent). */
  async function approvedReply(caseId: string, flags: never[]) {
    const draft = await seedDraft(db, org.id, caseId, { guardrailFlags: flags })
    const result = await withOrg(db, org.id, (tx) =>
      decide(tx, {
        orgId: org.id,
        caseId,
        draftId: draft.id,
        approver: { id: approver.id, role: 'approver' },
        decision: 'approved',
        acknowledged: ['blame'],
        via: 'portal',
        messageIdDomain: 'example.com',
      }),
    )
    if (!result.ok || !result.outboxId) throw new Error(`approval failed: ${JSON.stringify(result)}`)
    await db`update jobs set done_at = now() where payload->>'outboxId' = ${result.outboxId}`
    return result.outboxId
  }
})
