import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { startOpenAiStub } from '../drafts/openai-stub.ts'
import { evalRoot } from '../eval/intake-eval.ts'
import { createTestApp } from '../support/app.ts'
import { sessionCookie } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

// With an OpenAI key the model reads the mail too. Where it reads it otherwise than the rules,
// the case page shows both, and the case keeps the rules' values (addresses always).

describe('the model disagrees with the rules', () => {
  let db: Db
  let org: Org
  let stub: Awaited<ReturnType<typeof startOpenAiStub>>
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    stub = await startOpenAiStub()
  })
  afterAll(async () => {
    await stub.close()
    await db.end()
  })

  it('shows "Rules: SEV-2 (…) · Model: SEV-1 (…)" and keeps the rules\' severity and address', async () => {
    stub.set({
      kind: 'answer',
      content: {
        isEscalation: true,
        escalationReason: 'a consumer complaint through the BBB',
        source: 'bbb',
        customerName: 'Gregory Hartley',
        customerEmail: 'someone.else@example.net',
        reference: '22874013',
        severity: 'SEV-1',
        severityReasons: ['mentions a burn from the stove'],
      },
    })
    const env = {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: stub.baseUrl,
      OPENAI_MODEL: 'gpt-4o-mini',
      OPENAI_TIMEOUT_MS: 2000,
      OPENAI_MAX_RETRIES: 0,
    }
    const raw = new Uint8Array(await readFile(join(evalRoot, 'main', 'notices/001-bbb-new-complaint-portal.eml')))
    const outcome = await ingestMessage(db, { orgId: org.id, raw, provider: 'test', env })
    expect(outcome.status).toBe('created')
    const [kase] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ id: string; severity: string; customer_email: string; intake: { model: { disagreements: { field: string }[] } } }[]>`
      select id, severity, customer_email, intake from cases where 'ESC-' || number = ${outcome.case}`,
    )
    expect(kase!.severity).toBe('SEV-2')
    expect(kase!.customer_email).toBe('ghartley58@comcast.net')
    expect(kase!.intake.model.disagreements.map((d) => d.field)).toContain('severity')

    const user = await seedUser(db, org.id, 'agent')
    const page = await (
      await createTestApp(db).request(`/cases/${kase!.id}`, {
        headers: { cookie: await sessionCookie(db, { id: user.id, orgId: org.id }) },
      })
    ).text()
    expect(page).toContain('Where the model read it differently')
    expect(page).toMatch(/Severity — Rules: SEV-2 \(.+?\) · Model: SEV-1 \(mentions a burn from the stove\)/)
  })
})
