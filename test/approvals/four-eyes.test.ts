import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decide } from '../../src/approvals/decide.ts'
import { requestApproval } from '../../src/approvals/requests.ts'
import { linkSigningKey } from '../../src/auth/tokens.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { saveEditedDraft } from '../../src/drafts/edits.ts'
import { listDraftVersions } from '../../src/drafts/queries.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runJobsOnce } from '../../src/jobs/runner.ts'
import type { Mailer, OutboundMail } from '../../src/outbound/mailer.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { collectingExecutionCtx, formPost, sessionCookie } from '../support/auth.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

// Four eyes: whoever wrote or last edited any part of the text an approval covers cannot be its
// only approver, unless the org allows self-approval for the case's severity (SEV-3 and SEV-4
// by default) and the case's source is not one that always needs two people (lawyer, regulator).

type User = { id: string; email: string }
/** Raw SQL as the application role, inside the org: what any code path (or injection) could do. */
const asApp = (db: Db, orgId: string, sql: string) => withOrg(db, orgId, (tx) => tx.unsafe(sql))
const approveSql = (draftId: string, approverId: string) => `
  insert into approvals (org_id, case_id, draft_id, content_hash, approver_id, decision, acknowledged_flags, via)
  select d.org_id, d.case_id, d.id, draft_content_hash(d.to_emails, d.subject, d.body), '${approverId}', 'approved',
         array(select f->>'code' from jsonb_array_elements(d.guardrail_flags) f), 'portal'
  from drafts d where d.id = '${draftId}' returning id`

describe('four eyes on the approved text', () => {
  let db: Db
  let org: Org
  let ann: User // approver
  let bob: User // approver
  let chief: User // admin (also an approver)
  let agent: User
  const env = testEnv()
  const sent: OutboundMail[] = []
  const recordingMailer: Mailer = {
    kind: 'dev',
    send: async (mail) => {
      sent.push(mail)
      return { id: `held-${sent.length}` }
    },
  }
  const app = () => createTestApp(db, { mailer: recordingMailer })

  beforeAll(async () => {
    db = testDb(6)
    org = await seedOrg(db)
    ann = await seedUser(db, org.id, 'approver')
    bob = await seedUser(db, org.id, 'approver')
    chief = await seedUser(db, org.id, 'admin')
    agent = await seedUser(db, org.id, 'agent')
  })
  afterAll(() => db.end())

  /** A case from intake whose v1 the desk wrote (template), at the given severity and source. */
  async function draftedCase(inOrg: Org, severity: string, source?: string) {
    const c = await seedCase(db, inOrg.id, { from: 'Pat Customer <pat@customer.test>' })
    await runJobsOnce({ db, env, handlers: jobHandlers(), log: () => {} }, { orgId: inOrg.id })
    await db`update cases set severity = ${severity}, source = coalesce(${source ?? null}, source) where id = ${c.id}`
    return c.id
  }
  const latest = async (inOrg: Org, caseId: string) => (await withOrg(db, inOrg.id, (tx) => listDraftVersions(tx, caseId, 1)))[0]!
  async function editAs(inOrg: Org, user: User, caseId: string, body: string) {
    const base = await latest(inOrg, caseId)
    const saved = await withOrg(db, inOrg.id, (tx) =>
      saveEditedDraft(tx, inOrg.id, caseId, user, {
        to: 'pat@customer.test',
        subject: base.subject,
        body,
        baseVersion: String(base.version),
      }),
    )
    if (!saved.ok || 'unchanged' in saved) throw new Error(`edit failed: ${JSON.stringify(saved)}`)
    return latest(inOrg, caseId)
  }
  const approves = async (inOrg: Org, draftId: string, user: User) => {
    try {
      await withOrg(db, inOrg.id, async (tx) => {
        await tx.unsafe(approveSql(draftId, user.id))
        throw new Error('rollback') // only the verdict matters; keep the version approvable
      })
    } catch (error) {
      if ((error as Error).message === 'rollback') return true
      if (/another approver must approve it/.test((error as Error).message)) return false
      throw error
    }
    return true
  }

  it('in the database: whoever edited a SEV-2 reply cannot approve it alone, for any role; another approver can', async () => {
    const caseId = await draftedCase(org, 'SEV-2')
    const v2 = await editAs(org, ann, caseId, 'Dear Pat,\n\nAnn wrote this reply herself.\n\nKind regards')
    await expect(asApp(db, org.id, approveSql(v2.id, ann.id))).rejects.toThrow(
      /approval refused: .* wrote or edited this text, so another approver must approve it/,
    )
    // Even the owner role meets the trigger.
    await expect(db.unsafe(approveSql(v2.id, ann.id))).rejects.toThrow(/another approver must approve it/)
    expect(await approves(org, v2.id, bob)).toBe(true)
    expect(await approves(org, v2.id, chief)).toBe(true)
  })

  it('the authors are everyone who edited since the desk last wrote the text or someone approved it', async () => {
    const caseId = await draftedCase(org, 'SEV-1')
    const v1 = await latest(org, caseId)
    expect(await approves(org, v1.id, ann)).toBe(true) // the template's text has no human author
    await editAs(org, ann, caseId, 'Dear Pat,\n\nAnn wrote the first half.\n\nKind regards')
    const v3 = await editAs(org, bob, caseId, 'Dear Pat,\n\nAnn wrote the first half. Bob added the second.\n\nKind regards')
    expect([await approves(org, v3.id, ann), await approves(org, v3.id, bob), await approves(org, v3.id, chief)]).toEqual([
      false,
      false,
      true,
    ])

    // Once approved, a version vouches for its text: the next editor is the only new author.
    await withOrg(db, org.id, (tx) => tx.unsafe(approveSql(v3.id, chief.id)))
    const v4 = await editAs(org, bob, caseId, 'Dear Pat,\n\nAnn wrote the first half. Bob added the second, and an update.\n\nKind regards')
    expect([await approves(org, v4.id, ann), await approves(org, v4.id, bob)]).toEqual([true, false])

    // A fresh version from the desk (a redraft) starts over.
    await withOrg(db, org.id, async (tx) => {
      await tx`select id from cases where id = ${caseId} for update`
      await tx`insert into drafts (org_id, case_id, version, author_kind, author, purpose, to_emails, subject, body)
               values (${org.id}, ${caseId}, 5, 'template', 'template', 'reply', ${['pat@customer.test']}, ${v4.subject}, 'Dear Pat,\n\nA fresh template reply.\n\nKind regards')`
    })
    const v5 = await latest(org, caseId)
    expect([await approves(org, v5.id, ann), await approves(org, v5.id, bob)]).toEqual([true, true])
  })

  it('self-approval: allowed by default for SEV-3 and SEV-4, never for lawyer or regulator cases; the org decides', async () => {
    const own = await seedOrg(db)
    const solo = await seedUser(db, own.id, 'approver')
    const admin = await seedUser(db, own.id, 'admin')
    for (const [severity, source, allowed] of [
      ['SEV-4', undefined, true],
      ['SEV-3', undefined, true],
      ['SEV-2', undefined, false],
      ['SEV-1', undefined, false],
      ['SEV-4', 'lawyer', false],
      ['SEV-3', 'regulator', false],
    ] as const) {
      const caseId = await draftedCase(own, severity, source)
      const mine = await editAs(
        own,
        solo,
        caseId,
        `Dear Pat,\n\nWritten and approved by one person (${severity}, ${source ?? 'direct'}).\n\nKind regards`,
      )
      expect({ severity, source, allowed: await approves(own, mine.id, solo) }).toEqual({ severity, source, allowed })
    }
    // The org turns self-approval off everywhere (through the function that audits it).
    await withOrg(db, own.id, (tx) => tx`select set_approval_policy(${admin.id}, ${[]}::text[], ${['lawyer', 'regulator']}::text[])`)
    const caseId = await draftedCase(own, 'SEV-4')
    const mine = await editAs(own, solo, caseId, 'Dear Pat,\n\nNow a SEV-4 reply needs two people too.\n\nKind regards')
    expect(await approves(own, mine.id, solo)).toBe(false)
    const [event] = await withOrg(
      db,
      own.id,
      (tx) => tx`select actor_id, details from audit_events where action = 'org.approval_policy_change'`,
    )
    expect(event).toMatchObject({
      actor_id: admin.id,
      details: { before: { selfApprovalSeverities: ['SEV-3', 'SEV-4'] }, after: { selfApprovalSeverities: [] } },
    })
  })

  it('the application role cannot loosen the policy itself, and only an active admin can through the function', async () => {
    await expect(
      asApp(db, org.id, `update orgs set self_approval_severities = '{SEV-1,SEV-2,SEV-3,SEV-4}' where id = '${org.id}'`),
    ).rejects.toThrow(/refused|permission denied/)
    await expect(asApp(db, org.id, `update orgs set four_eyes_sources = '{}' where id = '${org.id}'`)).rejects.toThrow(
      /refused|permission denied/,
    )
    await expect(asApp(db, org.id, `select set_approval_policy('${ann.id}', '{SEV-1}', '{}')`)).rejects.toThrow(/only an active admin/)
    const [row] = await db`select self_approval_severities, four_eyes_sources from orgs where id = ${org.id}`
    expect(row).toEqual({ self_approval_severities: ['SEV-3', 'SEV-4'], four_eyes_sources: ['lawyer', 'regulator'] })
  })

  it('a lone admin (the demo org) can still approve what the desk wrote, even SEV-1', async () => {
    const demo = await seedOrg(db)
    const admin = await seedUser(db, demo.id, 'admin')
    const caseId = await draftedCase(demo, 'SEV-1')
    const v1 = await latest(demo, caseId)
    const result = await withOrg(db, demo.id, (tx) =>
      decide(tx, {
        orgId: demo.id,
        caseId,
        draftId: v1.id,
        approver: { id: admin.id, role: 'admin' },
        decision: 'approved',
        acknowledged: v1.guardrailFlags.map((f) => f.code),
        via: 'portal',
        messageIdDomain: 'example.com',
      }),
    )
    expect(result).toMatchObject({ ok: true, decision: 'approved', version: 1 })
  })

  describe('in the app', () => {
    const key = () => linkSigningKey(db, undefined)
    const linkOf = (mail: OutboundMail) => new URL(/(http:\/\/\S+\/approve\?token=\S+)/.exec(mail.text)![1]!).searchParams.get('token')!
    const counts = (caseId: string) =>
      withOrg(
        db,
        org.id,
        async (tx) =>
          (
            await tx<{ approvals: number; outbox: number }[]>`
      select (select count(*)::int from approvals where case_id = ${caseId}) as approvals,
             (select count(*)::int from outbox where case_id = ${caseId}) as outbox`
          )[0]!,
      )
    const openRequests = (caseId: string) =>
      withOrg(
        db,
        org.id,
        async (tx) =>
          await tx<{ approverId: string; version: number }[]>`
      select r.approver_id as "approverId", d.version from approval_requests r join drafts d on d.id = r.draft_id
      where r.case_id = ${caseId} and r.decided_at is null and r.voided_at is null order by r.approver_id`,
      )

    it('an approver who edits on the link page saves a new version, and the other approvers are asked to approve it', async () => {
      const caseId = await draftedCase(org, 'SEV-2')
      const { invites } = await withOrg(db, org.id, async (tx) => requestApproval(tx, { env, key: await key() }, org.id, caseId, agent))
      const annToken = new URL(invites.find((i) => i.approverId === ann.id)!.url).searchParams.get('token')!
      const v1 = await latest(org, caseId)
      const review = await (await app().request(`/approve?token=${annToken}`, { headers: { accept: 'text/html' } })).text()
      expect(review).toContain(
        'This case needs two people: if you edit the text, your edit is saved as a new version and another approver must approve it.',
      )
      const body = `${v1.body}\n\nP.S. I will call you myself before 5pm today.`
      sent.length = 0
      const { ctx, settled } = collectingExecutionCtx()
      const res = await app().request(
        '/approve',
        formPost({ token: annToken, decision: 'approved', to: 'pat@customer.test', subject: v1.subject, body }),
        undefined,
        ctx,
      )
      await settled()
      const page = await res.text()
      expect(res.status).toBe(200)
      expect(page).toContain('Your edit is saved as version 2; another approver must approve it.')
      expect(await counts(caseId)).toEqual({ approvals: 0, outbox: 0 })
      expect(await latest(org, caseId)).toMatchObject({ version: 2, authorId: ann.id, body })
      // A fresh request for version 2, to the others only; Ann's own link is spent.
      expect((await openRequests(caseId)).map((r) => [r.approverId, r.version]).sort()).toEqual(
        [
          [bob.id, 2],
          [chief.id, 2],
        ].sort(),
      )
      expect(sent.map((m) => m.to).sort()).toEqual([bob.email, chief.email].sort())
      expect(
        (
          await app().request(
            '/approve',
            formPost({ token: annToken, decision: 'approved', to: 'pat@customer.test', subject: v1.subject, body }),
          )
        ).status,
      ).toBe(409)

      const bobsMail = sent.find((m) => m.to === bob.email)!
      const v2 = await latest(org, caseId)
      const form = new URLSearchParams({
        token: linkOf(bobsMail),
        decision: 'approved',
        to: 'pat@customer.test',
        subject: v2.subject,
        body,
      })
      for (const f of v2.guardrailFlags) form.append('ack', f.code)
      const approved = await app().request('/approve', { ...formPost({}), body: form.toString() })
      expect(approved.status).toBe(200)
      expect(await approved.text()).toMatch(/Version 2 of the reply .* is approved/)
      const [queued] = await withOrg(
        db,
        org.id,
        (tx) => tx`select o.body, a.approver_id from outbox o join approvals a on a.id = o.approval_id where o.case_id = ${caseId}`,
      )
      expect(queued).toEqual({ body, approver_id: bob.id })
    })

    it('in the portal, the author of the current version is not offered the approve button, and pressing it asks the others', async () => {
      const caseId = await draftedCase(org, 'SEV-1')
      const v2 = await editAs(org, ann, caseId, 'Dear Pat,\n\nAnn edited this in the portal.\n\nKind regards')
      const annCookie = await sessionCookie(db, { id: ann.id, orgId: org.id })
      const bobCookie = await sessionCookie(db, { id: bob.id, orgId: org.id })
      const section = async (cookie: string) => {
        const page = await (await app().request(`/cases/${caseId}`, { headers: { cookie } })).text()
        return page.slice(page.indexOf('id="approval"'), page.indexOf('</section>', page.indexOf('id="approval"')))
      }
      const annSees = await section(annCookie)
      expect(annSees).not.toContain('Approve version 2 and send')
      expect(annSees).toContain('You wrote or edited version 2, so another approver must approve it.')
      expect(await section(bobCookie)).toContain('Approve version 2 and send')

      sent.length = 0
      const { ctx, settled } = collectingExecutionCtx()
      const res = await app().request(
        `/cases/${caseId}/approval/decide`,
        formPost({ draftId: v2.id, decision: 'approved' }, { cookie: annCookie }),
        undefined,
        ctx,
      )
      await settled()
      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toBe(`/cases/${caseId}?notice=approval-requested`)
      expect(await counts(caseId)).toEqual({ approvals: 0, outbox: 0 })
      expect((await openRequests(caseId)).map((r) => r.approverId).sort()).toEqual([bob.id, chief.id].sort())
      expect(sent.map((m) => m.to).sort()).toEqual([bob.email, chief.email].sort())
    })

    it('asking for approval of a version an approver wrote does not send that approver a link', async () => {
      const caseId = await draftedCase(org, 'SEV-2')
      await editAs(org, bob, caseId, 'Dear Pat,\n\nBob wrote this one.\n\nKind regards')
      const { invites } = await withOrg(db, org.id, async (tx) => requestApproval(tx, { env, key: await key() }, org.id, caseId, agent))
      expect(invites.map((i) => i.approverId).sort()).toEqual([ann.id, chief.id].sort())
    })

    it('an approver who asks for approval is not asked themselves when someone else can approve', async () => {
      const caseId = await draftedCase(org, 'SEV-3')
      const { invites } = await withOrg(db, org.id, async (tx) => requestApproval(tx, { env, key: await key() }, org.id, caseId, ann))
      expect(invites.map((i) => i.approverId).sort()).toEqual([bob.id, chief.id].sort())
    })

    it('when nobody else can approve, the edit is still saved and the page says who can help', async () => {
      const small = await seedOrg(db)
      const only = await seedUser(db, small.id, 'admin')
      const caseId = await draftedCase(small, 'SEV-1')
      const { invites } = await withOrg(db, small.id, async (tx) => requestApproval(tx, { env, key: await key() }, small.id, caseId, only))
      const v1 = await latest(small, caseId)
      const res = await app().request(
        '/approve',
        formPost({
          token: new URL(invites[0]!.url).searchParams.get('token')!,
          decision: 'approved',
          to: 'pat@customer.test',
          subject: v1.subject,
          body: `${v1.body}\n\nEdited by the only admin.`,
        }),
      )
      expect(res.status).toBe(200)
      const page = await res.text()
      expect(page).toContain('Your edit is saved as version 2; another approver must approve it.')
      expect(page).toMatch(/Nobody else in your organization can approve replies/)
      expect((await latest(small, caseId)).version).toBe(2)
    })
  })
})
