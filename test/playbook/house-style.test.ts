import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCaseFromForm, newCaseSchema } from '../../src/cases/create.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runJobsOnce } from '../../src/jobs/runner.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { saveTemplate } from '../../src/playbook/templates.ts'
import { testEnv } from '../support/app.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { goodDraft, startOpenAiStub } from '../drafts/openai-stub.ts'

// The model is shown the team's template for the message it writes (src/drafts/instructions.ts).
describe('the house style, offered to the model', () => {
  let db: Db
  let org: Org
  let admin: { id: string; email: string }
  let stub: Awaited<ReturnType<typeof startOpenAiStub>>
  const env = () => testEnv({ OPENAI_API_KEY: 'sk-test-key', OPENAI_BASE_URL: stub.baseUrl, OPENAI_MAX_RETRIES: '0' })
  const systemPrompts = async (from: number) =>
    stub.requests.slice(from).map((r) => r.body.messages.find((m) => m.role === 'system')!.content)

  async function draftFor(severity: 'SEV-2' | 'SEV-3') {
    const input = newCaseSchema.parse({
      source: 'direct',
      severity,
      customerName: 'Pat Customer',
      customerEmail: 'pat@customer.test',
      subject: 'Service keeps failing',
      summary: 'The service failed three times this week.',
    })
    const before = stub.requests.length
    await withOrg(db, org.id, (tx) => createCaseFromForm(tx, org.id, input, { kind: 'user', id: admin.id }))
    await runJobsOnce({ db, env: env(), handlers: jobHandlers(), log: () => {} }, { orgId: org.id })
    return systemPrompts(before)
  }

  beforeAll(async () => {
    db = testDb(2)
    org = await seedOrg(db, { name: 'Example Corp' })
    admin = await seedUser(db, org.id, 'admin')
    stub = await startOpenAiStub()
    stub.set({ kind: 'answer', content: goodDraft() })
  })
  afterAll(async () => {
    await stub.close()
    await db.end()
  })

  it('nothing about a house style while the team has no template of that kind', async () => {
    const [system] = await draftFor('SEV-3')
    expect(system).not.toContain('House style')
  })

  it("the acknowledgment template is in the model's instructions, its unknown fields kept for a person", async () => {
    const body = 'Dear {customer_name},\n\nI own {case_number} now. {what_happened}\n\n{signature}'
    await withOrg(db, org.id, (tx) => saveTemplate(tx, org.id, admin, 'acknowledgment', body))
    const [system] = await draftFor('SEV-2')
    expect(system).toContain("House style: the team's own initial acknowledgment template is below.")
    expect(system).toContain(`---\n${body}\n---`)
    expect(system).toContain('keep its {field} exactly as written')
  })
})
