import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decide } from '../../src/approvals/decide.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { seedDraft } from '../support/drafts.ts'

/** Raw SQL as the application role, inside the org: what any code path (or injection) could do. */
const asApp = (db: Db, orgId: string, sql: string, params: unknown[] = []) => withOrg(db, orgId, (tx) => tx.unsafe(sql, params as never[]))

describe('the approval gate lives in the database', () => {
  let db: Db
  let org: Org
  let approver: { id: string }
  let agent: { id: string }
  beforeAll(async () => {
    db = testDb(6)
    org = await seedOrg(db)
    approver = await seedUser(db, org.id, 'approver')
    agent = await seedUser(db, org.id, 'agent')
  })
  afterAll(() => db.end())

  const approveSql = (caseId: string, draftId: string, approverId: string) => `
    insert into approvals (org_id, case_id, draft_id, content_hash, approver_id, decision, via)
    select d.org_id, d.case_id, d.id, draft_content_hash(d.to_emails, d.subject, d.body), '${approverId}', 'approved', 'portal'
    from drafts d where d.id = '${draftId}' and d.case_id = '${caseId}' returning id`
  const outboxSql = (approvalId: string | null, draftId: string, body?: string) => `
    insert into outbox (org_id, case_id, draft_id, approval_id, to_emails, subject, body, message_id, reply_to, idempotency_key)
    select d.org_id, d.case_id, d.id, ${approvalId ? `'${approvalId}'` : 'gen_random_uuid()'}, d.to_emails, d.subject,
           ${body ? `'${body}'` : 'd.body'}, gen_random_uuid()::text || '@test', 'x@test', 'reply/' || gen_random_uuid()
    from drafts d where d.id = '${draftId}' returning id`

  it('refuses an outbox row without an approval, whoever inserts it', async () => {
    const c = await seedCase(db, org.id)
    const v1 = await seedDraft(db, org.id, c.id)
    await expect(asApp(db, org.id, outboxSql(null, v1.id))).rejects.toThrow(/violates foreign key|no approval/)
    // Even the owner role, which bypasses row-level security, meets the trigger.
    await expect(db.unsafe(outboxSql(null, v1.id))).rejects.toThrow(/violates foreign key|no approval/)
  })

  it('refuses an approval by an agent, and an approved row with altered text', async () => {
    const c = await seedCase(db, org.id)
    const v1 = await seedDraft(db, org.id, c.id)
    await expect(asApp(db, org.id, approveSql(c.id, v1.id, agent.id))).rejects.toThrow(/only an active approver or admin/)
    const [approval] = await asApp(db, org.id, approveSql(c.id, v1.id, approver.id))
    await expect(asApp(db, org.id, outboxSql(approval!.id, v1.id, 'We admit everything and will pay you.'))).rejects.toThrow(
      /no approval of this exact draft version/,
    )
    const [queued] = await asApp(db, org.id, outboxSql(approval!.id, v1.id))
    expect(queued!.id).toBeTruthy()
    await expect(asApp(db, org.id, `update outbox set body = 'changed' where id = '${queued!.id}'`)).rejects.toThrow(/frozen/)
    await expect(asApp(db, org.id, `delete from approvals where id = '${approval!.id}'`)).rejects.toThrow(/permission denied|append-only/)
  })

  it('approval of version 2 does not allow version 3', async () => {
    const c = await seedCase(db, org.id)
    await seedDraft(db, org.id, c.id)
    const v2 = await seedDraft(db, org.id, c.id, { body: 'Version two.' })
    const [approval] = await asApp(db, org.id, approveSql(c.id, v2.id, approver.id))
    const v3 = await seedDraft(db, org.id, c.id, { body: 'Version three, never approved.' })
    await expect(asApp(db, org.id, outboxSql(approval!.id, v3.id))).rejects.toThrow(/no approval of this exact draft version/)
    // Version 2's own text, under its own approval, is refused too: version 3 replaced it.
    await expect(asApp(db, org.id, outboxSql(approval!.id, v2.id))).rejects.toThrow(
      /outbox refused: a newer version of the reply was saved/,
    )
    // And nobody can approve version 2 any more: it is not the latest.
    await expect(asApp(db, org.id, approveSql(c.id, v2.id, approver.id))).rejects.toThrow(/not the latest|duplicate/)
  })

  it('refuses blockers in the database, and warnings that were not acknowledged', async () => {
    const c = await seedCase(db, org.id)
    const blocked = await seedDraft(db, org.id, c.id, {
      body: 'Dear [Name]',
      guardrailFlags: [
        { code: 'unfilled_placeholder', severity: 'block', message: 'Fill [Name]', evidence: '[Name]', source: 'rules' },
      ] as never,
    })
    await expect(asApp(db, org.id, approveSql(c.id, blocked.id, approver.id))).rejects.toThrow(/blocking guardrail/)
    const warned = await seedDraft(db, org.id, c.id, {
      guardrailFlags: [
        { code: 'legal_mention', severity: 'warn', message: 'Mentions legal action', evidence: 'court', source: 'rules' },
      ] as never,
    })
    await expect(asApp(db, org.id, approveSql(c.id, warned.id, approver.id))).rejects.toThrow(/warnings not acknowledged: legal_mention/)
  })

  it('two approvers approving at once make one approval and one outbox row', async () => {
    const c = await seedCase(db, org.id)
    const v1 = await seedDraft(db, org.id, c.id)
    const second = await seedUser(db, org.id, 'admin')
    const results = await Promise.all(
      [approver, second].map((a) =>
        withOrg(db, org.id, (tx) =>
          decide(tx, {
            orgId: org.id,
            caseId: c.id,
            draftId: v1.id,
            approver: { id: a.id, role: a === approver ? 'approver' : 'admin' },
            decision: 'approved',
            via: 'portal',
            messageIdDomain: 'example.com',
          }),
        ),
      ),
    )
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(results.find((r) => !r.ok)).toMatchObject({ reason: 'refused', message: expect.stringMatching(/already approved/) })
    const outbox = await withOrg(db, org.id, (tx) => tx`select idempotency_key, id from outbox where case_id = ${c.id}`)
    expect(outbox).toHaveLength(1)
    expect(outbox[0]!.idempotency_key).toBe(`reply/${outbox[0]!.id}`)
  })
})
