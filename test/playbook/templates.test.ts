import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decide } from '../../src/approvals/decide.ts'
import { createCaseFromForm, newCaseSchema } from '../../src/cases/create.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runJobsOnce } from '../../src/jobs/runner.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { saveTemplate } from '../../src/playbook/templates.ts'
import type { HouseKind } from '../../src/playbook/template-fields.ts'
import { testEnv } from '../support/app.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

describe('templates the team owns: the template fallback', () => {
  let db: Db
  let org: Org
  let admin: { id: string; email: string }
  let approver: { id: string; email: string }
  const latestDraft = async (caseId: string) =>
    (await withOrg(db, org.id, (tx) => tx`select * from drafts where case_id = ${caseId} order by version desc limit 1`))[0]!

  async function formCase(customerName = 'Pat Customer') {
    const input = newCaseSchema.parse({
      source: 'direct',
      severity: 'SEV-2',
      customerName,
      customerEmail: 'pat@customer.test',
      subject: 'Service keeps failing',
      summary: 'The service failed three times this week.',
    })
    return withOrg(db, org.id, (tx) => createCaseFromForm(tx, org.id, input, { kind: 'user', id: admin.id }))
  }
  const save = (kind: HouseKind, body: string) => withOrg(db, org.id, (tx) => saveTemplate(tx, org.id, admin, kind, body))
  const draftJobs = (env = testEnv()) => runJobsOnce({ db, env, handlers: jobHandlers(), log: () => {} }, { orgId: org.id })

  beforeAll(async () => {
    db = testDb(4)
    org = await seedOrg(db, { name: 'Example Corp' })
    admin = await seedUser(db, org.id, 'admin')
    approver = await seedUser(db, org.id, 'approver')
  })
  afterAll(() => db.end())

  it("the template fallback fills the team's version; every field it knows is filled", async () => {
    await save(
      'acknowledgment',
      'Dear {customer_name},\n\nWe have your case {case_number} and will write again {next_update}.\n\n{signature}',
    )
    await save('acknowledgment', 'Dear {customer_name},\n\nYour case {case_number} and will write again {next_update}.\n\n{signature}')
    const c = await formCase()
    await draftJobs()
    const draft = await latestDraft(c.id)
    expect(draft.author).toBe('template')
    expect(draft.body).toMatch(/^Dear Pat Customer,\n\nYour case ESC-\d+ and will write again (?:by|within) /)
    expect(draft.body).not.toMatch(/\{\w+\}/)
    expect(draft.guardrail_flags.map((f: { code: string }) => f.code)).not.toContain('placeholder')
    expect(draft.tone_notes).toContain("The team's initial acknowledgment template (version 2)")
  })

  it('an unfilled field stays a placeholder, and approval is refused until a person fills it', async () => {
    await save('acknowledgment', 'Dear {customer_name},\n\n{what_happened}\n\nYour case is {case_number}.\n\n{signature}')
    const c = await formCase()
    await draftJobs()
    const draft = await latestDraft(c.id)
    expect(draft.body).toContain('{what_happened}')
    expect(draft.guardrail_flags).toContainEqual(expect.objectContaining({ code: 'placeholder', severity: 'block' }))
    await expect(
      withOrg(db, org.id, (tx) =>
        decide(tx, {
          orgId: org.id,
          caseId: c.id,
          draftId: draft.id,
          approver: { id: approver.id, role: 'approver' },
          decision: 'approved',
          via: 'portal',
          messageIdDomain: 'example.com',
        }),
      ),
    ).rejects.toMatchObject({ result: { reason: 'refused', message: expect.stringContaining('unfilled placeholder') } })
    expect(await withOrg(db, org.id, (tx) => tx`select id from outbox where case_id = ${c.id}`)).toHaveLength(0)
  })

  it("a case without the customer's name keeps {customer_name}: a person fills it", async () => {
    const c = await formCase('')
    await draftJobs()
    const draft = await latestDraft(c.id)
    expect(draft.body).toMatch(/^Dear \{customer_name\},/)
    expect(draft.guardrail_flags).toContainEqual(expect.objectContaining({ code: 'placeholder' }))
  })
})
