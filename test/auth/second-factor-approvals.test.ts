import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requestApproval } from '../../src/approvals/requests.ts'
import { setSecondFactorRequired } from '../../src/auth/second-factor-admin.ts'
import { linkSigningKey } from '../../src/auth/tokens.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { seedDraft } from '../support/drafts.ts'
import { enrolTotp, htmlPage, totpCode } from './second-factor-helpers.ts'

// An approval link acts for an approver without a session: when the approver has a second factor
// (or the org requires one), the link alone decides nothing.

describe('second factor on approval links', () => {
  let db: Db
  const app = () => createTestApp(db)
  const env = testEnv()
  beforeAll(() => {
    db = testDb(6)
  })
  afterAll(() => db.end())

  /** An org with one approver, a case awaiting their approval, and their link's token. */
  async function awaitingApproval() {
    const org = await seedOrg(db)
    const approver = { ...(await seedUser(db, org.id, 'approver')), orgId: org.id }
    const admin = { ...(await seedUser(db, org.id, 'admin')), orgId: org.id }
    const owner = await seedUser(db, org.id, 'agent')
    const kase = await seedCase(db, org.id)
    await seedDraft(db, org.id, kase.id)
    const key = await linkSigningKey(db, undefined)
    const { invites } = await withOrg(db, org.id, (tx) => requestApproval(tx, { env, key }, org.id, kase.id, owner))
    const invite = invites.find((i) => i.approverId === approver.id)!
    return { org, approver, admin, caseId: kase.id, token: new URL(invite.url).searchParams.get('token')! }
  }
  const approvals = (orgId: string, caseId: string) =>
    withOrg(db, orgId, async (tx) => (await tx`select count(*)::int as n from approvals where case_id = ${caseId}`)[0]!.n as number)
  // The draft's own text (support/drafts.ts), so the decision is an approval without an edit.
  const unedited = {
    to: 'pat@customer.test',
    subject: 'Re: your complaint',
    body: 'Thank you for writing. I own this now and will update you by 5pm today.',
  }
  const decide = (p: { token: string }, extra: Record<string, string> = {}, cookie?: string) =>
    app().request('/approve', formPost({ token: p.token, decision: 'approved', ...unedited, ...extra }, cookie ? { cookie } : {}))

  it('an approver with an app: the page asks for a code; none or a wrong one decides nothing, the right one approves', async () => {
    const p = await awaitingApproval()
    const { secret } = await enrolTotp(app(), await sessionCookie(db, p.approver))
    const page = await (await app().request(`/approve?token=${p.token}`, htmlPage())).text()
    expect(page).toContain('name="secondFactorCode"')

    expect((await decide(p)).status).toBe(403)
    expect((await decide(p, { secondFactorCode: '123456' === totpCode(secret, Date.now() + 30_000) ? '654321' : '123456' })).status).toBe(
      403,
    )
    expect(await approvals(p.org.id, p.caseId)).toBe(0)
    const ok = await decide(p, { secondFactorCode: totpCode(secret, Date.now() + 30_000) })
    expect(ok.status).toBe(200)
    expect(await ok.text()).toMatch(/approved and on its way/)
    expect(await approvals(p.org.id, p.caseId)).toBe(1)
  })

  it('signed in as the approver in this browser (the factor passed at sign-in), the link needs no code; as someone else it does', async () => {
    const p = await awaitingApproval()
    const cookie = await sessionCookie(db, p.approver)
    await enrolTotp(app(), cookie)
    expect(await (await app().request(`/approve?token=${p.token}`, htmlPage(cookie))).text()).not.toContain('name="secondFactorCode"')
    expect((await decide(p, {}, await sessionCookie(db, p.admin))).status).toBe(403)
    expect((await decide(p, {}, cookie)).status).toBe(200)
    expect(await approvals(p.org.id, p.caseId)).toBe(1)
  })

  it('in an org that requires a factor, an approver without one cannot decide by link; without the requirement they can', async () => {
    const p = await awaitingApproval()
    await setSecondFactorRequired({ db, env }, p.admin, true)
    expect(await (await app().request(`/approve?token=${p.token}`, htmlPage())).text()).toContain('requires a second factor to decide')
    const refused = await decide(p, { secondFactorCode: '123456' })
    expect(refused.status).toBe(403)
    expect(await approvals(p.org.id, p.caseId)).toBe(0)
    await setSecondFactorRequired({ db, env }, p.admin, false)
    expect((await decide(p)).status).toBe(200)
  })
})
