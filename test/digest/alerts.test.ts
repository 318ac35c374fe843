import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCaseFromForm } from '../../src/cases/create.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runScheduledTick } from '../../src/jobs/scheduler.ts'
import { createDevMailer } from '../../src/outbound/mailer.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { testEnv } from '../support/app.ts'
import { auditActions } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { arrangeCase, failedSend, heldMail, minutes } from '../support/digest.ts'

const env = testEnv({ PUBLIC_URL: 'https://desk.example.test' })

describe('immediate alerts: each goes once, to the right people, and each can be turned off', () => {
  let db: Db
  let org: Org
  let approver: { id: string; email: string }
  let admin: { id: string; email: string }
  let owner: { id: string; email: string }
  const tick = (o: Org = org) =>
    runScheduledTick(
      { db, env, handlers: jobHandlers({ mailer: createDevMailer(db) }), log: () => {} },
      { orgIds: [o.id], drainMs: 10_000 },
    )
  const alertMail = async (o: Org = org) => (await heldMail(db, o.id)).filter((m) => m.key?.startsWith('alert/'))
  const fromNow = (m: number) => new Date(Date.now() + minutes(m))

  beforeAll(async () => {
    db = testDb(4)
    org = await seedOrg(db)
    approver = await seedUser(db, org.id, 'approver')
    admin = await seedUser(db, org.id, 'admin')
    owner = await seedUser(db, org.id, 'agent')
    const gone = await seedUser(db, org.id, 'approver')
    await db`update app_users set disabled_at = now() where id = ${gone.id}`
  })
  afterAll(async () => {
    await db.end()
  })

  it('a new SEV-1 case → every active approver and admin, once', async () => {
    const kase = await withOrg(db, org.id, (tx) =>
      createCaseFromForm(
        tx,
        org.id,
        {
          source: 'direct',
          customerName: 'Dana Big',
          customerEmail: 'dana@bigcustomer.test',
          subject: 'Production down for all our stores',
          summary: 'Nothing works since 9am.',
          severity: 'SEV-1',
          externalRef: '',
        },
        { kind: 'user', id: owner.id },
      ),
    )
    const first = await tick()
    expect(first.alerts).toEqual([
      expect.objectContaining({ kind: 'new_sev1', status: 'queued', recipients: [admin.email, approver.email].sort() }),
    ])
    const [mail, ...rest] = await alertMail()
    expect(rest).toEqual([])
    expect(mail).toMatchObject({
      subject: `SEV-1: ESC-${kase.number} Production down for all our stores`,
      key: `alert/${org.id}/new_sev1/${kase.id}`,
    })
    expect(mail!.text).toContain('from Dana Big')
    expect(mail!.text).toContain(`https://desk.example.test/cases/${kase.id}`)
    expect((await auditActions(db, org.id, kase.id)).filter((a) => a.action === 'alert.send')).toEqual([
      expect.objectContaining({ details: expect.objectContaining({ kind: 'new_sev1', to: [admin.email, approver.email].sort() }) }),
    ])
    expect((await tick()).alerts).toEqual([])
    expect(await alertMail()).toHaveLength(1)
  })

  it('a case turning at risk → its owner (nobody owns it: every approver and admin), once per deadline; a breached one → the approvers', async () => {
    const kase = await arrangeCase(db, org.id, {
      subject: 'Invoice dispute',
      ownerId: owner.id,
      nextDeadlineAt: fromNow(50),
      nextAtRiskAt: fromNow(-1),
    })
    const breached = await arrangeCase(db, org.id, {
      subject: 'Already breached',
      ownerId: owner.id,
      nextDeadlineAt: fromNow(-5),
      nextAtRiskAt: fromNow(-60),
    })
    const unowned = await arrangeCase(db, org.id, { subject: 'Nobody owns me', nextDeadlineAt: fromNow(50), nextAtRiskAt: fromNow(-1) })
    await arrangeCase(db, org.id, { subject: 'Fine for now', ownerId: owner.id, nextDeadlineAt: fromNow(500), nextAtRiskAt: fromNow(200) })
    const before = (await alertMail()).length
    const first = await tick()
    const approvers = [admin.email, approver.email].sort()
    expect(first.alerts).toHaveLength(3)
    expect(first.alerts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'at_risk',
          status: 'queued',
          recipients: [owner.email],
          alertKey: expect.stringContaining(kase.id),
        }),
        expect.objectContaining({
          kind: 'at_risk',
          status: 'queued',
          recipients: approvers,
          alertKey: expect.stringContaining(unowned.id),
        }),
        expect.objectContaining({
          kind: 'approvers',
          status: 'queued',
          recipients: approvers,
          alertKey: expect.stringContaining(breached.id),
        }),
      ]),
    )
    const mail = (await alertMail()).slice(before)
    const owners = mail.filter((m) => m.to.includes(owner.email))
    expect(owners).toEqual([expect.objectContaining({ to: [owner.email], subject: `At risk: ESC-${kase.number} Invoice dispute` })])
    expect(owners[0]!.text).toMatch(/which you own, is at risk\.\nThe (resolution|first response|customer update) is due .*, in 4\d min\./)
    // One mail per person, each with a link of their own.
    expect(
      mail
        .filter((m) => m.subject === `At risk: ESC-${unowned.number} Nobody owns me`)
        .map((m) => m.to[0])
        .sort(),
    ).toEqual(approvers)
    expect(mail.filter((m) => m.subject === `Breached: ESC-${breached.number} Already breached`)).toHaveLength(2)
    expect((await tick()).alerts).toEqual([])

    // The reply went out and the next deadline (the update cadence) later turns at risk: a new alert.
    await db`update cases set next_deadline_at = ${fromNow(40)}, next_at_risk_at = ${fromNow(-0.5)} where id = ${kase.id}`
    expect((await tick()).alerts).toEqual([expect.objectContaining({ kind: 'at_risk', status: 'queued' })])
  })

  it('a send that failed permanently → the owner, approvers and admins', async () => {
    const kase = await arrangeCase(db, org.id, { subject: 'Wrong address', ownerId: owner.id, status: 'triaged' })
    const outboxId = await failedSend(db, org.id, kase.id, approver.id, 'Resend refused the message: The `to` field is invalid.')
    const first = await tick()
    expect(first.alerts).toEqual([
      expect.objectContaining({ kind: 'send_failed', status: 'queued', recipients: [owner.email, admin.email, approver.email] }),
    ])
    const mail = (await alertMail()).at(-1)!
    expect(mail.subject).toBe(`Reply not delivered: ESC-${kase.number} Wrong address`)
    expect(mail.key).toBe(`alert/${org.id}/send_failed/${outboxId}`)
    expect(mail.text).toContain('Error: Resend refused the message: The `to` field is invalid.')
    expect((await tick()).alerts).toEqual([])
  })

  it('each alert can be turned off per org; CSV imports do not alert', async () => {
    const quiet = await seedOrg(db)
    const qOwner = await seedUser(db, quiet.id, 'agent')
    const qApprover = await seedUser(db, quiet.id, 'approver')
    await db`update orgs set settings = settings || ${db.json({ alert_new_sev1: false, alert_at_risk: false })} where id = ${quiet.id}`
    await arrangeCase(db, quiet.id, {
      subject: 'SEV-1 nobody is told about',
      severity: 'SEV-1',
      ownerId: qOwner.id,
      nextDeadlineAt: fromNow(5),
      nextAtRiskAt: fromNow(-2),
    })
    const failing = await arrangeCase(db, quiet.id, { subject: 'Bounced', ownerId: qOwner.id })
    await failedSend(db, quiet.id, failing.id, qApprover.id)
    const result = await tick(quiet)
    expect(result.alerts.map((a) => a.kind)).toEqual(['send_failed']) // still on

    await db`update orgs set settings = settings || ${db.json({ alert_send_failed: false })} where id = ${quiet.id}`
    const again = await arrangeCase(db, quiet.id, { subject: 'Bounced again', ownerId: qOwner.id })
    await failedSend(db, quiet.id, again.id, qApprover.id)
    expect((await tick(quiet)).alerts).toEqual([])

    // A bulk load of old escalations is not news, even SEV-1 ones (alerts on in this org).
    await arrangeCase(db, org.id, { subject: 'Imported SEV-1', severity: 'SEV-1', source: 'csv' })
    expect((await tick()).alerts).toEqual([])
  })
})
