import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decide } from '../../src/approvals/decide.ts'
import { createCaseFromForm, newCaseSchema } from '../../src/cases/create.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { jobHandlers } from '../../src/jobs/handlers.ts'
import { runJobsOnce } from '../../src/jobs/runner.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { loadHouseTemplates } from '../../src/playbook/templates.ts'
import { playbookTemplates } from '../../src/playbook/template-fields.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { formPost, sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { goodDraft, startOpenAiStub } from '../drafts/openai-stub.ts'

describe('the template editor: /admin/templates', () => {
  let db: Db
  let org: Org
  let admin: { id: string; email: string }
  let approver: { id: string; email: string }
  let adminCookie: string
  let agentCookie: string
  let stub: Awaited<ReturnType<typeof startOpenAiStub>>
  const app = () => createTestApp(db)
  const get = (path: string, cookie = adminCookie) => app().request(path, { headers: { cookie } })
  const post = (path: string, fields: Record<string, string>, cookie = adminCookie) => app().request(path, formPost(fields, { cookie }))
  const versions = (kind: string) =>
    withOrg(
      db,
      org.id,
      (tx) => tx<{ version: number; body: string }[]>`select version, body from org_templates where kind = ${kind} order by version`,
    )
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
  const draftJobs = (env = testEnv()) => runJobsOnce({ db, env, handlers: jobHandlers(), log: () => {} }, { orgId: org.id })

  beforeAll(async () => {
    db = testDb(4)
    org = await seedOrg(db, { name: 'Example Corp' })
    admin = await seedUser(db, org.id, 'admin')
    approver = await seedUser(db, org.id, 'approver')
    const agent = await seedUser(db, org.id, 'agent')
    adminCookie = await sessionCookie(db, { id: admin.id, orgId: org.id })
    agentCookie = await sessionCookie(db, { id: agent.id, orgId: org.id })
    stub = await startOpenAiStub()
  })
  afterAll(async () => {
    await stub.close()
    await db.end()
  })

  it("opens on the playbook's text; Preview fills a sample case and stores nothing", async () => {
    const page = await (await get('/admin/templates/acknowledgment')).text()
    expect(page).toContain('I am personally handling your escalation, logged as {case_number}')
    const preview = await post('/admin/templates/progress_update', { body: playbookTemplates.progress_update, intent: 'preview' })
    expect(preview.status).toBe(200)
    const text = await preview.text()
    expect(text).toContain('Here is your update on ESC-1042.')
    expect(text).toContain('A person fills {current_status}, {action_taken}, {next_step} on each draft')
    expect(await versions('progress_update')).toEqual([])
    expect((await get('/admin/templates/nonsense')).status).toBe(404)
  })

  it('each save is a new version, audited; saving the same text again is not', async () => {
    const first = 'Dear {customer_name},\n\nWe have your case {case_number} and will write again {next_update}.\n\n{signature}'
    expect((await post('/admin/templates/acknowledgment', { body: first, intent: 'save' })).status).toBe(200)
    const again = await (await post('/admin/templates/acknowledgment', { body: `${first}\r\n`, intent: 'save' })).text()
    expect(again).toContain('Nothing changed')
    const second = first.replace('We have your case', 'Your case')
    expect(await (await post('/admin/templates/acknowledgment', { body: second, intent: 'save' })).text()).toContain('Saved as version 2')
    expect(await versions('acknowledgment')).toEqual([
      { version: 1, body: first },
      { version: 2, body: second },
    ])
    const audits = await withOrg(
      db,
      org.id,
      (tx) => tx<{ details: Record<string, unknown>; actorId: string }[]>`
      select details, actor_id as "actorId" from audit_events where action = 'template.save' order by seq`,
    )
    expect(audits.map((a) => [a.details.kind, a.details.version, a.details.previousVersion ?? null, a.actorId])).toEqual([
      ['acknowledgment', 1, null, admin.id],
      ['acknowledgment', 2, 1, admin.id],
    ])
    const list = await (await get('/admin/templates')).text()
    expect(list).toMatch(/Initial acknowledgment<\/a>[\s\S]*?Version 2/)
  })

  it('is for admins only, and another org never sees it', async () => {
    expect((await get('/admin/templates', agentCookie)).status).toBe(403)
    expect((await post('/admin/templates/acknowledgment', { body: 'Hi', intent: 'save' }, agentCookie)).status).toBe(403)
    expect((await versions('acknowledgment')).length).toBe(2)
    const other = await seedOrg(db)
    expect(await withOrg(db, other.id, (tx) => loadHouseTemplates(tx))).toEqual({})
  })
})
