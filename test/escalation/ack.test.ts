import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueLinkToken, linkSigningKey } from '../../src/auth/tokens.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { issueAckLink } from '../../src/escalation/ack.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { auditActions } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { arrangeCase } from '../support/digest.ts'
import { ackPath, chainMail, clockFrom, racingTicks, tickAt } from './support.ts'

// "I'm on it" from an escalation mail: the GET shows a page and changes nothing, the POST takes
// the clock once, and a taken clock sends no further step.

describe('acknowledging an escalation from its mail', () => {
  let db: Db
  let app: ReturnType<typeof createTestApp>
  let org: Org
  let owner: { id: string; email: string }
  let approver: { id: string; email: string }
  const at = clockFrom()

  beforeAll(async () => {
    db = testDb(8)
    app = createTestApp(db)
    org = await seedOrg(db)
    owner = await seedUser(db, org.id, 'agent')
    approver = await seedUser(db, org.id, 'approver')
  })
  afterAll(async () => {
    await db.end()
  })

  const sev1Case = (orgId: string, ownerId: string | null, subject: string) =>
    arrangeCase(db, orgId, {
      subject,
      severity: 'SEV-1',
      ownerId,
      openedAt: at(0),
      firstResponseDueAt: at(15),
      nextDeadlineAt: at(15),
      nextAtRiskAt: at(7.5),
    })
  const linkOf = async (caseId: string, to: string) => {
    const mail = (await chainMail(db, org.id)).filter((m) => m.key!.includes(caseId) && m.to[0] === to)
    return ackPath(mail.at(-1)!.text)
  }
  const tokenOf = (path: string) => new URL(path, 'http://localhost').searchParams.get('token')!
  /** What a GET must leave alone: the link's row, the acknowledgements, the case's trail. */
  const state = async (caseId: string) =>
    withOrg(db, org.id, async (tx) => ({
      unusedLinks: (await tx`select count(*)::int as n from link_tokens where purpose = 'escalation_ack' and consumed_at is null`)[0]!.n,
      acks: (await tx`select count(*)::int as n from escalation_acks where case_id = ${caseId}`)[0]!.n,
      audit: (await tx`select count(*)::int as n from audit_events where case_id = ${caseId}`)[0]!.n,
    }))

  it('GET shows the button and changes nothing; POST takes the clock, audited; a second use is refused; no further step is sent', async () => {
    const kase = await sev1Case(org.id, owner.id, 'Data export broken')
    expect((await tickAt(db, org.id, at(8))).map((c) => c.kind)).toEqual(['at_risk'])
    const path = await linkOf(kase.id, owner.email)

    const before = await state(kase.id)
    for (let i = 0; i < 2; i++) {
      const page = await app.request(path)
      expect(page.status).toBe(200)
      const html = await page.text()
      expect(html).toContain(`ESC-${kase.number} is at risk`)
      expect(html).toMatch(/<button[^>]*>\s*I(&#39;|')m on it\s*<\/button>/)
    }
    expect(await state(kase.id)).toEqual(before)

    const taken = await app.request('/escalation/ack', formPost({ token: tokenOf(path) }))
    expect(taken.status).toBe(200)
    expect(await taken.text()).toContain(`ESC-${kase.number} is yours`)
    const [ack] = await withOrg(
      db,
      org.id,
      (tx) => tx`select acknowledged_by as by, deadline from escalation_acks where case_id = ${kase.id}`,
    )
    expect(ack).toEqual({ by: owner.id, deadline: at(15) })
    expect((await auditActions(db, org.id, kase.id)).filter((a) => a.action === 'case.escalation_ack')).toEqual([
      {
        action: 'case.escalation_ack',
        actorId: owner.id,
        details: { clock: 'first response', deadline: at(15).toISOString(), step: 'at_risk' },
      },
    ])

    // The case's timeline says it, in words.
    const casePage = await (
      await app.request(`/cases/${kase.id}`, { headers: { cookie: await sessionCookie(db, { id: owner.id, orgId: org.id }) } })
    ).text()
    expect(casePage).toContain('The first response turned at risk: the desk sent the at-risk alert')
    expect(casePage).toMatch(/agent user took the escalation \(“I(&#39;|')m on it”\): no more alerts about this first response deadline/)

    const again = await app.request('/escalation/ack', formPost({ token: tokenOf(path) }))
    expect(again.status).toBe(410)
    expect(await again.text()).toContain('already used')
    expect((await app.request(path)).status).toBe(410)

    // The breach and the executives' step of this deadline never go out.
    expect(await racingTicks(db, org.id, at(16))).toEqual([])
    expect(await racingTicks(db, org.id, at(46))).toEqual([])
    expect((await chainMail(db, org.id)).filter((m) => m.key!.includes(kase.id))).toHaveLength(1)
  })

  it("one recipient takes it: another's link shows who has it and records nothing", async () => {
    const second = await seedUser(db, org.id, 'approver')
    const unowned = await sev1Case(org.id, null, 'Nobody on it yet')
    expect((await tickAt(db, org.id, at(16))).map((c) => c.kind)).toEqual(['approvers']) // breached already
    const mine = await linkOf(unowned.id, approver.email)
    const theirs = await linkOf(unowned.id, second.email)
    expect((await app.request('/escalation/ack', formPost({ token: tokenOf(mine) }))).status).toBe(200)

    const page = await (await app.request(theirs)).text()
    expect(page).toContain('approver user took it at')
    expect(page).not.toMatch(/<button[^>]*>\s*I(&#39;|')m on it/)
    const before = await state(unowned.id)
    const late = await app.request('/escalation/ack', formPost({ token: tokenOf(theirs) }))
    expect(late.status).toBe(409)
    expect(await late.text()).toContain(`ESC-${unowned.number} is taken`)
    expect(await state(unowned.id)).toEqual(before)
    expect(await tickAt(db, org.id, at(46))).toEqual([])
  })

  it("another org's link, a forged one, or one for another purpose does nothing", async () => {
    const kase = await sev1Case(org.id, owner.id, 'Target of the attack')
    await tickAt(db, org.id, at(8))
    const [step] = await withOrg(db, org.id, (tx) => tx<{ id: string }[]>`select id from escalation_steps where case_id = ${kase.id}`)
    const key = await linkSigningKey(db, undefined)

    // Org B's genuine link (its own user, its own jti) pointed at org A's step.
    const other = await seedOrg(db)
    const stranger = await seedUser(db, other.id, 'admin')
    const crossOrg = await withOrg(db, other.id, (tx) =>
      issueAckLink(tx, key, { orgId: other.id, userId: stranger.id, stepId: step!.id, now: at(8) }),
    )
    // Org A's step, with org A named, but signed by someone without the key.
    const forged = await new SignJWT({ org: org.id, purpose: 'escalation_ack', bind: { step: step!.id } })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(owner.id)
      .setJti('x'.repeat(24))
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('not-the-desk-key-not-the-desk-key'))
    // A genuine link of another purpose (an approval link's shape) for the same user and step.
    const wrongPurpose = await withOrg(
      db,
      org.id,
      async (tx) =>
        (await issueLinkToken(tx, key, { orgId: org.id, userId: owner.id, purpose: 'approve', ttlSeconds: 3600, bind: { step: step!.id } }))
          .token,
    )

    for (const token of [crossOrg, forged, wrongPurpose]) {
      expect((await app.request(`/escalation/ack?token=${encodeURIComponent(token)}`)).status).toBe(400)
      expect((await app.request('/escalation/ack', formPost({ token }))).status).toBe(400)
    }
    expect(await withOrg(db, org.id, (tx) => tx`select 1 from escalation_acks where case_id = ${kase.id}`)).toEqual([])
    // The chain goes on: the breach still reaches the approvers.
    expect((await tickAt(db, org.id, at(16))).map((c) => c.kind)).toEqual(['approvers'])
  })
})
