// Merging two cases that are one complaint (src/cases/merge.ts, sql/00025): the thread, notes,
// dedupe keys, reference and forwarders move to the surviving case, the merged case redirects
// there, the clocks run from the earlier arrival, both audit trails say so, pending approvals of
// both lapse through the one void path, and only an approver or admin of the org can do it.
import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { mergeCases } from '../../src/cases/merge.ts'
import { recomputeClocks } from '../../src/sla/clocks.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { auditActions, seedCase } from '../support/cases.ts'
import { buildEml, seedOrg, seedUser, testDb } from '../support/db.ts'
import { seedDraft } from '../support/drafts.ts'

type Seeded = { id: string; label: string }

describe('merging two cases into one', () => {
  let db: Db
  let org: Org
  let other: Org
  let approver: { id: string; cookie: string }
  let agent: { id: string; cookie: string }

  beforeAll(async () => {
    db = testDb(6)
    org = await seedOrg(db)
    other = await seedOrg(db)
    const a = await seedUser(db, org.id, 'admin')
    approver = { id: a.id, cookie: await sessionCookie(db, { id: a.id, orgId: org.id }) }
    const g = await seedUser(db, org.id, 'agent')
    agent = { id: g.id, cookie: await sessionCookie(db, { id: g.id, orgId: org.id }) }
  })
  afterAll(() => db.end())

  const app = () => createTestApp(db)
  const post = (path: string, fields: Record<string, string>, cookie = approver.cookie) =>
    app().request(path, { ...formPost(fields, { cookie }), redirect: 'manual' })
  const get = (path: string, cookie = approver.cookie) =>
    app().request(path, { headers: { accept: 'text/html', cookie }, redirect: 'manual' })
  const word = () => `w${randomBytes(5).toString('hex')}`
  const newCase = (subject: string, body = `${subject}: ${word()} and nothing since.`, from = 'Pat Customer <pat@customer.test>') =>
    seedCase(db, org.id, { from, subject: `${subject} ${word()}`, body })
  const merge = (from: Seeded, into: Seeded, cookie = approver.cookie) =>
    post(`/cases/${from.id}/merge`, { into: into.label, reason: 'The BBB notice is about the same order.', confirm: 'yes' }, cookie)
  const row = async (id: string) => {
    const [r] = await db<Record<string, unknown>[]>`select * from cases where id = ${id}`
    return r!
  }
  const count = async (table: 'messages' | 'case_keys' | 'drafts', caseId: string) =>
    (await db.unsafe(`select count(*)::int as n from ${table} where case_id = $1`, [caseId]))[0]!.n as number

  it('asks first, naming both cases, and changes nothing until confirmed', async () => {
    const a = await newCase('Broken tent')
    const b = await newCase('BBB notice about a tent')
    // The control is on the case page for approvers and admins, not for agents.
    expect(await (await get(`/cases/${a.id}`)).text()).toContain('Merge into another case…')
    expect(await (await get(`/cases/${a.id}`, agent.cookie)).text()).not.toContain('Merge into another case…')
    const res = await post(`/cases/${a.id}/merge`, { into: b.label, reason: 'Same order' })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain(`Merge ${a.label} into ${b.label}?`)
    expect(html).toContain('name="confirm" value="yes"')
    expect((await row(a.id)).merged_into).toBeNull()
    expect(await count('messages', a.id)).toBe(1)
  })

  it('combines the thread, notes, dedupe keys, reference and forwarders, and the merged case redirects', async () => {
    const ordered = `order${word()}`
    const a = await newCase('My order never came', `The order ${ordered} never arrived.`)
    const b = await newCase('BBB complaint 44120', 'The BBB forwards a complaint from Pat Customer.')
    await db`update cases set external_ref = ${`BBB-${word()}`}, forwarded_by = '{ceo@example.com,cfo@example.com}' where id = ${a.id}`
    await db`update cases set forwarded_by = '{coo@example.com,ceo@example.com}' where id = ${b.id}`
    expect((await post(`/cases/${a.id}/notes`, { text: 'Called the customer back.' })).status).toBe(303)
    await seedDraft(db, org.id, a.id, { body: 'Dear Pat, the first reply we drafted on the customer mail.' })
    // A dedupe key as intake keeps them for a forwarded original (the mail above, sent direct, has none).
    await withOrg(db, org.id, (tx) => tx`insert into case_keys (org_id, key, case_id) values (${org.id}, ${`fwd:${word()}`}, ${a.id})`)
    const keysA = await count('case_keys', a.id)
    const keysB = await count('case_keys', b.id)
    const refA = (await row(a.id)).external_ref as string

    const res = await merge(a, b)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/cases/${b.id}?notice=merged`)

    expect(await count('messages', a.id)).toBe(0)
    expect(await count('messages', b.id)).toBe(3) // both mails and the note
    expect(await count('case_keys', a.id)).toBe(0)
    expect(await count('case_keys', b.id)).toBe(keysA + keysB)
    const [merged, survivor] = [await row(a.id), await row(b.id)]
    expect(merged).toMatchObject({ merged_into: b.id, status: 'closed', external_ref: null })
    expect(merged.close_reason).toContain(`merged into ${b.label}`)
    expect(survivor).toMatchObject({ merged_into: null, external_ref: refA })
    expect(survivor.forwarded_by).toEqual(['coo@example.com', 'ceo@example.com', 'cfo@example.com'])
    // The drafts stay the merged case's (versions are immutable); the survivor lists them.
    expect(await count('drafts', a.id)).toBe(1)

    // Its page and its number open the survivor.
    const page = await get(`/cases/${a.id}`)
    expect(page.status).toBe(302)
    expect(page.headers.get('location')).toBe(`/cases/${b.id}?notice=merged`)
    const byNumber = await get(`/cases/${a.label}`)
    expect(byNumber.headers.get('location')).toBe(`/cases/${b.id}`)
    const survivorPage = await (await get(`/cases/${b.id}?notice=merged`)).text()
    expect(survivorPage).toContain('Called the customer back.')
    expect(survivorPage).toContain(ordered)
    const history = await get(`/cases/${b.id}/merged`)
    expect(history.status).toBe(200)
    const historyHtml = await history.text()
    expect(historyHtml).toContain(a.label)
    expect(historyHtml).toContain('the first reply we drafted on the customer mail')

    // The search documents: the thread's words find the survivor, and the merged case's body is empty.
    const docs = await db<{ caseId: string; body: string }[]>`
      select case_id as "caseId", body::text as body from case_search where case_id in (${a.id}, ${b.id})`
    expect(docs.find((d) => d.caseId === a.id)!.body).toBe('')
    expect(docs.find((d) => d.caseId === b.id)!.body).toContain(ordered.toLowerCase())
    const found = await (await get(`/search?q=${ordered}`)).text()
    expect(found).toContain(`/cases/${b.id}`)

    // Audited on both cases.
    const onA = (await auditActions(db, org.id, a.id)).filter((e) => e.action === 'case.merge')
    const onB = (await auditActions(db, org.id, b.id)).filter((e) => e.action === 'case.merge')
    expect(onA).toHaveLength(1)
    expect(onA[0]).toMatchObject({ actorId: approver.id, details: { into: b.label, intoId: b.id, messages: 2, externalRef: refA } })
    expect(onB).toHaveLength(1)
    expect(onB[0]).toMatchObject({ actorId: approver.id, details: { from: a.label, fromId: a.id, forwarders: ['cfo@example.com'] } })

    // Mail that follows a merged case's messages, and its dedupe keys, find the survivor.
    const [first] = await db<{ messageId: string }[]>`
      select message_id as "messageId" from messages where case_id = ${b.id} and text_body like ${`%${ordered}%`}`
    const reply = await ingestMessage(db, {
      orgId: org.id,
      raw: buildEml({ subject: 'Re: My order', body: 'Any news?', headers: [`In-Reply-To: <${first!.messageId}>`] }),
      provider: 'test',
    })
    expect(reply).toMatchObject({ status: 'threaded', case: b.label })
    // And whatever still names the merged case files on the survivor.
    await withOrg(db, org.id, (tx) => tx`insert into case_keys (org_id, key, case_id) values (${org.id}, ${`fwd:${word()}`}, ${a.id})`)
    expect(await count('case_keys', a.id)).toBe(0)
  })

  it("mail quoting the merged case's own reference lands on the survivor", async () => {
    const number = String(10_000_000 + Math.floor(Math.random() * 89_999_999))
    const a = await newCase('My BBB complaint')
    const b = await newCase('The BBB notice')
    await db`update cases set external_ref = ${`BBB-${number}`} where id = ${a.id}`
    await db`update cases set external_ref = ${`BBB-${word()}`} where id = ${b.id}`
    expect((await merge(a, b)).status).toBe(303)
    expect((await row(a.id)).external_ref).toBe(`BBB-${number}`) // the survivor had its own
    const outcome = await ingestMessage(db, {
      orgId: org.id,
      raw: buildEml({
        from: 'Pat Customer <pat@customer.test>',
        subject: `BBB complaint #${number}`,
        body: `About my BBB complaint #${number}: still no refund.`,
      }),
      provider: 'test',
    })
    expect(outcome).toMatchObject({ status: 'threaded', case: b.label })
  })

  it('runs the clocks from the earliest arrival, through the SLA code', async () => {
    const a = await newCase('Earlier mail')
    const b = await newCase('Later notice')
    const earlier = new Date(Date.now() - 3 * 3600_000)
    await db`update cases set opened_at = ${earlier}, severity = 'SEV-2' where id = ${a.id}`
    await db`update cases set severity = 'SEV-2' where id = ${b.id}`
    const clocksOfA = await withOrg(db, org.id, (tx) => recomputeClocks(tx, org.id, a.id))
    const before = await row(b.id)

    expect((await merge(a, b)).status).toBe(303)
    const after = await row(b.id)
    expect((after.opened_at as Date).getTime()).toBe(earlier.getTime())
    expect((after.first_response_due_at as Date).getTime()).toBe(clocksOfA.firstResponseDueAt.getTime())
    expect((after.resolution_due_at as Date).getTime()).toBe(clocksOfA.resolutionDueAt.getTime())
    expect((after.first_response_due_at as Date).getTime()).toBeLessThan((before.first_response_due_at as Date).getTime())
    // Three hours into a one-hour first response: breached, and the queue puts it first.
    expect((after.next_deadline_at as Date).getTime()).toBeLessThan(Date.now())
    // The merged case runs no clock any more.
    expect((await row(a.id)).next_deadline_at).toBeNull()
  })

  it('voids pending approvals and unsent replies of both cases, audited', async () => {
    const a = await newCase('Approved reply pending')
    const b = await newCase('Approval asked')
    const draftA = await seedDraft(db, org.id, a.id)
    await seedDraft(db, org.id, b.id)
    const decided = await post(`/cases/${a.id}/approval/decide`, { draftId: draftA.id, decision: 'approved', note: '' })
    expect(decided.status).toBeLessThan(400)
    expect((await post(`/cases/${b.id}/approval/request`, {})).status).toBeLessThan(400)
    const [outbox] = await db<{ status: string }[]>`select status from outbox where case_id = ${a.id}`
    expect(outbox!.status).toBe('pending')

    expect((await merge(a, b)).status).toBe(303)
    const [cancelled] = await db<{ status: string }[]>`select status from outbox where case_id = ${a.id}`
    expect(cancelled!.status).toBe('cancelled')
    const open = await db`select id from approval_requests where case_id = ${b.id} and voided_at is null and decided_at is null`
    expect(open).toHaveLength(0)
    const voidA = (await auditActions(db, org.id, a.id)).filter((e) => e.action === 'approval.void')
    const voidB = (await auditActions(db, org.id, b.id)).filter((e) => e.action === 'approval.void')
    expect(voidA.at(-1)).toMatchObject({ details: { reason: 'the case was merged into another case', cancelledSends: 1 } })
    expect(voidB.at(-1)).toMatchObject({ details: { reason: 'another case was merged into this one' } })
    expect(voidB.at(-1)!.details.requests).toBeGreaterThan(0)
  })

  it('merging the survivor on: every case merged into it points at the new survivor', async () => {
    const [a, b, c] = [await newCase('Chain A'), await newCase('Chain B'), await newCase('Chain C')]
    expect((await merge(a, b)).status).toBe(303)
    expect((await merge(b, c)).status).toBe(303)
    expect((await row(a.id)).merged_into).toBe(c.id)
    expect((await get(`/cases/${a.id}`)).headers.get('location')).toBe(`/cases/${c.id}?notice=merged`)
    expect(await count('messages', c.id)).toBe(3)
    const history = await (await get(`/cases/${c.id}/merged`)).text()
    expect(history).toContain(`id="merged-${a.label.slice(4)}"`)
    expect(history).toContain(`id="merged-${b.label.slice(4)}"`)
  })

  it('takes the merged case off the queue', async () => {
    const a = await newCase('Queue duplicate')
    const b = await newCase('Queue original')
    const before = await (await get('/')).text()
    expect(before).toContain(`/cases/${a.id}`)
    expect((await merge(a, b)).status).toBe(303)
    const after = await (await get('/')).text()
    expect(after).not.toContain(`/cases/${a.id}`)
    expect(after).toContain(`/cases/${b.id}`)
  })

  it('refuses an agent, a case merged into itself, into a merged case, and a merged case again', async () => {
    const a = await newCase('Refusals A')
    const b = await newCase('Refusals B')
    const c = await newCase('Refusals C')

    const byAgent = await merge(a, b, agent.cookie)
    expect(byAgent.status).toBe(403)
    expect(await byAgent.text()).toContain('Only an approver or admin can merge cases.')
    expect((await row(a.id)).merged_into).toBeNull()
    // Nor does the database let an agent's id through, whoever calls it.
    await expect(
      withOrg(db, org.id, (tx) =>
        mergeCases(tx, org.id, a.id, { intoNumber: Number(b.label.slice(4)), reason: 'x' }, { id: agent.id, role: 'approver' }),
      ),
    ).rejects.toThrow('Only an approver or admin can merge cases.')

    const self = await merge(a, a)
    expect(self.status).toBe(409)
    expect(await self.text()).toContain(`${a.label} cannot be merged into itself.`)

    expect((await merge(a, b)).status).toBe(303)
    const intoMerged = await merge(c, a)
    expect(intoMerged.status).toBe(409)
    expect(await intoMerged.text()).toContain(`${a.label} was merged into ${b.label}; merge into that case instead.`)
    const again = await post(`/cases/${a.id}/merge`, { into: c.label, reason: 'again', confirm: 'yes' })
    expect(again.status).toBe(409)
    expect(await again.text()).toContain(`${a.label} was already merged into ${b.label}.`)

    // A merged case stays closed and merged, whoever asks: a page left open from before says where it went.
    const stale = await post(`/cases/${a.id}/status`, { status: 'in_progress' })
    expect(stale.status).toBe(409)
    expect(await stale.text()).toContain(`${a.label} was merged into ${b.label}; work on that case instead.`)
    await expect(withOrg(db, org.id, (tx) => tx`update cases set status = 'in_progress' where id = ${a.id}`)).rejects.toThrow(
      `${a.label} was merged into ${b.label}`,
    )
    await expect(withOrg(db, org.id, (tx) => tx`update cases set merged_into = null, merged_at = null where id = ${a.id}`)).rejects.toThrow(
      'merged only through merge_case()',
    )
    expect((await merge(c, b)).status).toBe(303)
  })

  it("answers 404 for another org's case, either side, and for a number the org does not have", async () => {
    const mine = await newCase('Mine')
    const theirs = await seedCase(db, other.id, { subject: `Theirs ${word()}` })
    expect((await post(`/cases/${theirs.id}/merge`, { into: mine.label, reason: 'x', confirm: 'yes' })).status).toBe(404)
    const unknown = await post(`/cases/${mine.id}/merge`, { into: 'ESC-987654321', reason: 'x', confirm: 'yes' })
    expect(unknown.status).toBe(404)
    expect(await unknown.text()).toContain('There is no case ESC-987654321.')
    // The database function itself: the other org's id is not found from this org.
    await expect(withOrg(db, org.id, (tx) => tx`select merge_case(${approver.id}, ${mine.id}, ${theirs.id}, 'x')`)).rejects.toThrow(
      'That case does not exist.',
    )
    await expect(withOrg(db, org.id, (tx) => tx`select merge_case(${approver.id}, ${theirs.id}, ${mine.id}, 'x')`)).rejects.toThrow(
      'That case does not exist.',
    )
    expect((await row(theirs.id)).merged_into).toBeNull()
    expect((await row(mine.id)).merged_into).toBeNull()
  })

  it('A into B and B into A at once: one wins, no deadlock, no row lost', async () => {
    for (let round = 0; round < 5; round++) {
      const a = await newCase(`Race A${round}`)
      const b = await newCase(`Race B${round}`)
      await withOrg(
        db,
        org.id,
        (tx) => tx`insert into messages (org_id, case_id, direction, text_body, author_id)
        values (${org.id}, ${a.id}, 'note', 'note on A', ${approver.id}), (${org.id}, ${b.id}, 'note', 'note on B', ${approver.id})`,
      )
      const total = (await count('messages', a.id)) + (await count('messages', b.id))
      const actor = { id: approver.id, role: 'admin' as const }
      const number = (s: Seeded) => Number(s.label.slice(4))
      const outcomes = await Promise.allSettled([
        withOrg(db, org.id, (tx) => mergeCases(tx, org.id, a.id, { intoNumber: number(b), reason: 'race' }, actor)),
        withOrg(db, org.id, (tx) => mergeCases(tx, org.id, b.id, { intoNumber: number(a), reason: 'race' }, actor)),
      ])
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1)
      const lost = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult
      expect(lost.reason.code).toBe('INVALID_STATE')
      expect(String(lost.reason.message)).not.toMatch(/deadlock/i)
      const [ra, rb] = [await row(a.id), await row(b.id)]
      expect([ra.merged_into, rb.merged_into].filter(Boolean)).toHaveLength(1)
      const survivor = ra.merged_into ? b : a
      expect(await count('messages', survivor.id)).toBe(total)
    }
  })
})
