import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { replaceExecutives } from '../../src/orgs/executives.ts'
import { auditActions } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { arrangeCase } from '../support/digest.ts'
import { chainMail, clockFrom, racingTicks, tickAt } from './support.ts'

// The escalation chain of issue 19: a clock running down with nobody acting walks owner →
// approvers → executives, each step once per case and deadline, however many schedulers race.

describe('escalation chain: each step once, at its time, to its people', () => {
  let db: Db
  let org: Org
  let owner: { id: string; email: string }
  let approver: { id: string; email: string }
  let admin: { id: string; email: string }
  let executive: { id: string; email: string }
  const outsiderExec = 'ceo@board.example.test'
  const at = clockFrom()

  beforeAll(async () => {
    db = testDb(8)
    org = await seedOrg(db)
    owner = await seedUser(db, org.id, 'agent')
    approver = await seedUser(db, org.id, 'approver')
    admin = await seedUser(db, org.id, 'admin')
    executive = await seedUser(db, org.id, 'agent')
    await withOrg(db, org.id, (tx) =>
      replaceExecutives(tx, org.id, [
        { email: executive.email, name: 'Vera Exec', title: 'COO', sendAs: false },
        { email: outsiderExec, name: 'Chris Board', title: 'CEO', sendAs: false },
      ]),
    )
  })
  afterAll(async () => {
    await db.end()
  })

  /** A SEV-1 case opened at minute 0: first response due at 15, at risk from 7.5. */
  const sev1Case = (subject: string) =>
    arrangeCase(db, org.id, {
      subject,
      severity: 'SEV-1',
      ownerId: owner.id,
      openedAt: at(0),
      firstResponseDueAt: at(15),
      resolutionDueAt: at(240),
      nextDeadlineAt: at(15),
      nextAtRiskAt: at(7.5),
    })
  const queued = (claims: { status: string; kind: string; alertKey: string }[], caseId: string) =>
    claims.filter((c) => c.status === 'queued' && c.alertKey.includes(caseId)).map((c) => c.kind)
  const mailOf = async (caseId: string) => (await chainMail(db, org.id)).filter((m) => m.key!.includes(caseId))

  it('a SEV-1 case left alone: owner at risk, approvers at the breach, executives 30 minutes later; once each with two schedulers racing', async () => {
    const kase = await sev1Case('Checkout down for every store')

    expect(queued(await racingTicks(db, org.id, at(5)), kase.id)).toEqual([])

    const atRisk = await racingTicks(db, org.id, at(8))
    expect(queued(atRisk, kase.id)).toEqual(['at_risk'])
    expect(atRisk.filter((c) => c.alertKey.includes(kase.id)).map((c) => c.status)).not.toContain('skipped')
    let mail = await mailOf(kase.id)
    expect(mail.map((m) => m.to)).toEqual([[owner.email]])
    expect(mail[0]!.subject).toBe(`At risk: ESC-${kase.number} Checkout down for every store`)
    expect(mail[0]!.text).toContain('The first response is due')

    expect(queued(await racingTicks(db, org.id, at(10)), kase.id)).toEqual([])

    expect(queued(await racingTicks(db, org.id, at(16)), kase.id)).toEqual(['approvers'])
    mail = await mailOf(kase.id)
    const breachMail = mail.filter((m) => m.subject.startsWith('Breached:'))
    expect(breachMail.map((m) => m.to[0]).sort()).toEqual([admin.email, approver.email].sort())
    expect(breachMail[0]!.text).toContain('Owner: agent user.')

    expect(queued(await racingTicks(db, org.id, at(30)), kase.id)).toEqual([])
    expect(queued(await racingTicks(db, org.id, at(44)), kase.id)).toEqual([])

    expect(queued(await racingTicks(db, org.id, at(46)), kase.id)).toEqual(['executives'])
    mail = await mailOf(kase.id)
    const execMail = mail.filter((m) => m.subject.startsWith('Escalated to you:'))
    expect(execMail.map((m) => m.to[0]).sort()).toEqual([outsiderExec, executive.email].sort())
    // The executive with a desk account can take it from the mail; the one without gets the news only.
    expect(execMail.find((m) => m.to[0] === executive.email)!.text).toContain("I'm on it")
    expect(execMail.find((m) => m.to[0] === outsiderExec)!.text).not.toContain("I'm on it")

    expect(queued(await racingTicks(db, org.id, at(90)), kase.id)).toEqual([])
    expect(await mailOf(kase.id)).toHaveLength(5)

    const audited = (await auditActions(db, org.id, kase.id)).filter((a) => a.action === 'case.at_risk' || a.action === 'case.breach')
    expect(audited).toEqual([
      {
        action: 'case.at_risk',
        actorId: null,
        details: { clock: 'first response', deadline: at(15).toISOString(), minutes: 7, step: 'at_risk' },
      },
      {
        action: 'case.breach',
        actorId: null,
        details: { clock: 'first response', deadline: at(15).toISOString(), minutes: 1, step: 'approvers' },
      },
      {
        action: 'case.breach',
        actorId: null,
        details: { clock: 'first response', deadline: at(15).toISOString(), minutes: 31, step: 'executives' },
      },
    ])
  })

  it('the clock met (the first reply sent) stops the chain of that deadline; the next deadline has its own', async () => {
    const kase = await sev1Case('Refund never arrived')
    expect(queued(await tickAt(db, org.id, at(8)), kase.id)).toEqual(['at_risk'])
    // The reply went out at minute 12: the first-response clock is met; the update is due at 42.
    await db`
      update cases set first_response_at = ${at(12)}, status = 'responded', next_update_due_at = ${at(42)},
        next_deadline_at = ${at(42)}, next_at_risk_at = ${at(27)}
      where id = ${kase.id}`
    expect(queued(await tickAt(db, org.id, at(16)), kase.id)).toEqual([])
    expect(queued(await tickAt(db, org.id, at(28)), kase.id)).toEqual(['at_risk'])
    const [, second] = await mailOf(kase.id)
    expect(second!.text).toContain('The customer update is due')
  })

  it('a case closed before its breach sends nothing more', async () => {
    const kase = await sev1Case('Closed quickly')
    expect(queued(await tickAt(db, org.id, at(8)), kase.id)).toEqual(['at_risk'])
    await db`update cases set status = 'resolved' where id = ${kase.id}`
    expect(queued(await tickAt(db, org.id, at(16)), kase.id)).toEqual([])
    expect(queued(await tickAt(db, org.id, at(46)), kase.id)).toEqual([])
  })

  it('a missed SEV-1/2 update alerts the owner, then the chain; SEV-3 has no cadence step by default', async () => {
    const sev2 = await arrangeCase(db, org.id, {
      subject: 'Weekly outage',
      severity: 'SEV-2',
      status: 'responded',
      ownerId: owner.id,
      openedAt: at(-60),
      firstResponseAt: at(-30),
      resolutionDueAt: at(420),
      nextUpdateDueAt: at(10),
      nextDeadlineAt: at(10),
      nextAtRiskAt: at(-50),
    })
    const sev3 = await arrangeCase(db, org.id, {
      subject: 'Slow support',
      severity: 'SEV-3',
      status: 'responded',
      ownerId: owner.id,
      openedAt: at(-600),
      firstResponseAt: at(-500),
      resolutionDueAt: at(2000),
      nextUpdateDueAt: at(10),
      nextDeadlineAt: at(10),
      nextAtRiskAt: at(-300),
    })
    const claims = await racingTicks(db, org.id, at(11))
    expect(queued(claims, sev2.id).sort()).toEqual(['approvers', 'cadence'])
    expect(queued(claims, sev3.id)).toEqual(['approvers'])
    const mail = await mailOf(sev2.id)
    const missed = mail.find((m) => m.subject.startsWith('Update missed:'))!
    expect(missed.to).toEqual([owner.email])
    expect(missed.text).toContain('has not been sent')
    expect(mail.find((m) => m.subject.startsWith('Breached:'))!.text).toContain('The customer update on')
    const breach = (await auditActions(db, org.id, sev2.id)).filter((a) => a.action === 'case.breach')
    expect(breach.map((a) => a.details.step).sort()).toEqual(['approvers', 'cadence'])
    expect(breach[0]!.details).toMatchObject({ clock: 'customer update', deadline: at(10).toISOString() })

    // The update was sent: the next one is due at 130, and missing it is news again.
    await db`update cases set next_update_due_at = ${at(130)}, next_deadline_at = ${at(130)}, next_at_risk_at = ${at(70)} where id = ${sev2.id}`
    expect(queued(await tickAt(db, org.id, at(60)), sev2.id)).toEqual([])
    expect(queued(await tickAt(db, org.id, at(131)), sev2.id).sort()).toEqual(['approvers', 'cadence'])
  })

  it('an unowned case at risk → every approver and admin; with nobody to tell the step is skipped, not sent', async () => {
    const kase = await arrangeCase(db, org.id, {
      subject: 'Nobody took it',
      severity: 'SEV-2',
      openedAt: at(0),
      firstResponseDueAt: at(60),
      nextDeadlineAt: at(60),
      nextAtRiskAt: at(30),
    })
    expect(queued(await tickAt(db, org.id, at(31)), kase.id)).toEqual(['at_risk'])
    const mail = await mailOf(kase.id)
    expect(mail.map((m) => m.to[0]).sort()).toEqual([admin.email, approver.email].sort())
    expect(mail[0]!.text).toContain('Nobody owns it: assign an owner.')

    const lonely = await seedOrg(db)
    const lonelyCase = await arrangeCase(db, lonely.id, {
      subject: 'No team yet',
      severity: 'SEV-2',
      openedAt: at(0),
      nextDeadlineAt: at(60),
      nextAtRiskAt: at(30),
    })
    const claims = await tickAt(db, lonely.id, at(31))
    expect(claims).toEqual([
      expect.objectContaining({ kind: 'at_risk', status: 'skipped', alertKey: expect.stringContaining(lonelyCase.id) }),
    ])
    expect((await auditActions(db, lonely.id, lonelyCase.id)).map((a) => a.action)).not.toContain('case.at_risk')
    expect(await tickAt(db, lonely.id, at(32))).toEqual([])
  })
})
