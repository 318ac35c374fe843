import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { analyzeMessage } from '../../src/intake/analyze.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { extractWithModel, withModelExtraction, type ModelEnv } from '../../src/intake/model.ts'
import { startOpenAiStub } from '../drafts/openai-stub.ts'
import { seedOrg, testDb } from '../support/db.ts'
import { fjellstad, letter } from './read-mail.ts'

// With an OpenAI key the model reads the message's text next to the rules, through the real
// SDK against a local stand-in. The rules are the floor: they always run, the case keeps their
// values, the model fills only what they left empty, and a model's address that is not in the
// message is dropped.

// Sent without a display name and signed with a first name: the rules find no name to store.
const complaint = letter({
  from: 'nora.lie@posteo.example',
  subject: 'Broken stove',
  body: 'Hello, the Glød stove you sold me stopped working after a week. I would like a replacement.\nNora Lie here, by the way.\nNora',
})

const answer = (overrides: Record<string, unknown> = {}) => ({
  isEscalation: true,
  escalationReason: 'a customer complaint',
  source: 'direct',
  customerName: 'Nora Lie',
  customerEmail: 'nora.lie@posteo.example',
  reference: null,
  severity: 'SEV-2',
  severityReasons: ['a broken stove'],
  ...overrides,
})

describe('AI extraction on top of the rules', () => {
  let stub: Awaited<ReturnType<typeof startOpenAiStub>>
  let env: ModelEnv
  let db: Db

  beforeAll(async () => {
    stub = await startOpenAiStub()
    env = {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: stub.baseUrl,
      OPENAI_MODEL: 'gpt-4o-mini',
      OPENAI_TIMEOUT_MS: 2000,
      OPENAI_MAX_RETRIES: 0,
    }
    db = testDb()
  })
  afterAll(async () => {
    await stub.close()
    await db.end()
  })

  async function analysed() {
    const a = await analyzeMessage(complaint, fjellstad)
    if (!a.ok) throw new Error(a.reason)
    return a
  }

  it('asks with the message text only, as strict structured output, and records where it disagrees', async () => {
    stub.set({ kind: 'answer', content: answer() })
    const before = stub.requests.length
    const a = await analysed()
    const extraction = await extractWithModel(env, a, fjellstad)
    const request = stub.requests[before]!
    expect(request.body.response_format?.json_schema?.strict).toBe(true)
    expect(request.body.messages[1]!.content).toContain('stopped working after a week')
    expect(request.body.messages[1]!.content).not.toMatch(/Message-ID|X-Synthetic/i)
    expect(extraction).toMatchObject({ ok: true, fields: { severity: 'SEV-2', customerName: 'Nora Lie' } })
    // The rules found no name ("Nora" alone) and rate it SEV-3 (a broken product): both views are kept.
    expect(extraction.ok && extraction.disagreements).toEqual(
      expect.arrayContaining([{ field: 'severity', rules: 'SEV-3', model: 'SEV-2' }]),
    )
    const merged = withModelExtraction(a, extraction)
    expect(merged.classification.severity).toBe('SEV-3')
    expect(merged.classification.customer).toEqual({ email: 'nora.lie@posteo.example', name: 'Nora Lie' })
    expect(merged.classification.customerReasons.at(-1)).toMatch(/the model read the name Nora Lie/)
  })

  it('drops an address the model invented, and never lets the model change the rules’ address', async () => {
    stub.set({ kind: 'answer', content: answer({ customerEmail: 'nora@elsewhere.example' }) })
    const a = await analysed()
    const extraction = await extractWithModel(env, a, fjellstad)
    expect(extraction).toMatchObject({
      ok: true,
      fields: { customerEmail: null },
      dropped: ['nora@elsewhere.example is not in the message'],
    })
    expect(withModelExtraction(a, extraction).classification.customer.email).toBe('nora.lie@posteo.example')
  })

  it('drops a colleague’s address even when the message contains it', async () => {
    stub.set({ kind: 'answer', content: answer({ customerEmail: 'desk@fjellstad.example' }) })
    const raw = letter({
      from: 'Nora Lie <nora.lie@posteo.example>',
      subject: 'Stove',
      body: 'I wrote to desk@fjellstad.example twice. The stove is broken.',
    })
    const a = await analyzeMessage(raw, fjellstad)
    if (!a.ok) throw new Error(a.reason)
    const extraction = await extractWithModel(env, a, fjellstad)
    expect(extraction).toMatchObject({
      ok: true,
      fields: { customerEmail: null },
      dropped: ['desk@fjellstad.example is an address of the org'],
    })
  })

  it('a slow or failing model leaves the rules’ analysis as it was, with the reason', async () => {
    stub.set({ kind: 'delay', ms: 3000 })
    const a = await analysed()
    const slow = await extractWithModel({ ...env, OPENAI_TIMEOUT_MS: 200 }, a, fjellstad)
    expect(slow).toMatchObject({ ok: false, reason: 'timeout' })
    stub.set({ kind: 'status', status: 500 })
    const broken = await extractWithModel(env, a, fjellstad)
    expect(broken).toMatchObject({ ok: false, reason: 'api_error' })
    const merged = withModelExtraction(a, broken)
    expect(merged.classification).toMatchObject({
      severity: a.classification.severity,
      customer: a.classification.customer,
      model: { ok: false },
    })
  })

  it('intake asks the model when it has a key, and the case gets the name the rules could not find', async () => {
    stub.set({ kind: 'answer', content: answer() })
    const org = await seedOrg(db, { inboundAddresses: ['desk@fjellstad.example'] })
    const before = stub.requests.length
    const outcome = await ingestMessage(db, { orgId: org.id, raw: complaint, provider: 'test', env })
    expect(outcome.status).toBe('created')
    expect(stub.requests.length).toBe(before + 1)
    const [row] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ customerName: string; customerEmail: string; severity: string }[]>`
      select customer_name as "customerName", customer_email as "customerEmail", severity from cases where number = ${Number(outcome.case!.slice(4))}`,
    )
    expect(row).toEqual({ customerName: 'Nora Lie', customerEmail: 'nora.lie@posteo.example', severity: 'SEV-3' })
  })

  it('without a key intake never calls out', async () => {
    const org = await seedOrg(db, { inboundAddresses: ['desk@fjellstad.example'] })
    const before = stub.requests.length
    await ingestMessage(db, {
      orgId: org.id,
      raw: letter({ from: 'Nora Lie <nora.lie@posteo.example>', subject: 'Again', body: 'Still broken.' }),
      provider: 'test',
      env: { ...env, OPENAI_API_KEY: undefined },
    })
    expect(stub.requests.length).toBe(before)
  })
})
