import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db.ts'
import { AppError } from '../../src/http/errors.ts'
import { createDevMailer, createMailer, createResendMailer } from '../../src/outbound/mailer.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp, testEnv } from '../support/app.ts'
import { collectingExecutionCtx, formPost } from '../support/auth.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'
import { startResendStub } from './resend-stub.ts'

describe('mailer', () => {
  let db: Db
  let org: Org
  let resend: Awaited<ReturnType<typeof startResendStub>>
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    resend = await startResendStub()
  })
  afterAll(async () => {
    await resend.close()
    await db.end()
  })

  it('sends through the Resend SDK with the idempotency key and every field', async () => {
    const mailer = createMailer(
      db,
      testEnv({ RESEND_API_KEY: 're_test_key', RESEND_BASE_URL: resend.baseUrl, MAIL_FROM: 'Desk <desk@acme.test>' }),
    )
    expect(mailer.kind).toBe('resend')
    const { id } = await mailer.send({
      orgId: org.id,
      to: 'pat@customer.test',
      replyTo: 'escalations+tok@acme.test',
      subject: 'Re: Broken order',
      text: 'We are on it.',
      html: '<p>We are on it.</p>',
      headers: { 'In-Reply-To': '<abc@customer.test>' },
      tags: { purpose: 'reply' },
      idempotencyKey: 'reply/42',
    })
    const request = resend.requests.at(-1)!
    expect(id).toBe(`re_stub_${resend.requests.length}`)
    expect(request).toMatchObject({ method: 'POST', path: '/emails' })
    expect(request.headers['idempotency-key']).toBe('reply/42')
    expect(request.headers.authorization).toBe('Bearer re_test_key')
    expect(request.body).toMatchObject({
      from: 'Desk <desk@acme.test>',
      to: ['pat@customer.test'],
      reply_to: 'escalations+tok@acme.test',
      subject: 'Re: Broken order',
      text: 'We are on it.',
      html: '<p>We are on it.</p>',
      headers: { 'In-Reply-To': '<abc@customer.test>' },
      tags: [{ name: 'purpose', value: 'reply' }],
    })
  })

  it('turns a refusal from Resend into UPSTREAM_FAILED', async () => {
    const failing = await startResendStub()
    failing.fail(422, { statusCode: 422, name: 'validation_error', message: 'Invalid `to` field.' })
    const mailer = createResendMailer({ apiKey: 're_x', baseUrl: failing.baseUrl })
    const error = await mailer.send({ orgId: org.id, to: 'pat@customer.test', subject: 's', text: 't' }).catch((e: unknown) => e)
    await failing.close()
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('UPSTREAM_FAILED')
    expect((error as AppError).message).toMatch(/Invalid `to` field/)
  })

  it('mails sign-in links through Resend when it is configured', async () => {
    const user = await seedUser(db, org.id, 'agent')
    const env = testEnv({ RESEND_API_KEY: 're_test_key', RESEND_BASE_URL: resend.baseUrl, TRUST_PROXY: '1' })
    const app = createTestApp(db, { env, mailer: createMailer(db, env) })
    const { ctx, settled } = collectingExecutionCtx()
    const res = await app.request('/sign-in', formPost({ email: user.email }, { 'x-forwarded-for': '192.0.2.44' }), undefined, ctx)
    await settled()
    expect(res.status).toBe(200)
    const sent = resend.requests.filter((r) => (r.body.to as string[])?.includes(user.email))
    expect(sent).toHaveLength(1)
    expect(sent[0]!.headers['idempotency-key']).toMatch(/^sign-in\//)
    expect(sent[0]!.body.text).toMatch(/http:\/\/localhost:8787\/sign-in\/confirm\?token=/)
    expect(await app.request('/dev/mailbox')).toHaveProperty('status', 404) // no dev mailbox with Resend
  })

  it('holds mail in the dev mailbox without a key, once per idempotency key', async () => {
    const mailer = createMailer(db, testEnv())
    expect(mailer.kind).toBe('dev')
    const key = `test/${randomBytes(6).toString('hex')}`
    const mail = { orgId: org.id, to: ['a@customer.test', 'b@customer.test'], subject: 'Held', text: 'Body', idempotencyKey: key }
    const first = await mailer.send(mail)
    const second = await createDevMailer(db).send({ ...mail, subject: 'Changed' })
    expect(second.id).toBe(first.id)
    const rows = await db`select subject, to_addresses, from_address, org_id from dev_mailbox where idempotency_key = ${key}`
    expect(rows).toEqual([
      {
        subject: 'Held',
        to_addresses: ['a@customer.test', 'b@customer.test'],
        from_address: 'Escalation Desk <desk@example.com>',
        org_id: org.id,
      },
    ])
    const noOrg = await createDevMailer(db).send({ orgId: null, to: 'ops@example.test', subject: 'System', text: 'x' })
    expect(noOrg.id).toMatch(/^[0-9a-f-]{36}$/)
  })
})
