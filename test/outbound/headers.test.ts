import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db.ts'
import { createDevMailer, createResendMailer, MailSendError, type Mailer, type OutboundMail } from '../../src/outbound/mailer.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { seedOrg, testDb } from '../support/db.ts'
import { startResendServer } from '../support/resend-server.ts'

// The outbound boundary on its own: whatever a caller hands the mailer (a subject decoded from a
// customer's encoded word, a stored Message-ID, an address), no header value with a line break
// reaches Resend or the dev mailbox. Values a fold would corrupt are refused for good.

const lineBreak = /[\r\n\0]/

/** Every value that becomes a header line at the provider: subject, addresses, custom headers. */
function headerValues(sent: Record<string, unknown>): string[] {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)])
  return [
    ...list(sent.subject),
    ...list(sent.from),
    ...list(sent.to),
    ...list(sent.reply_to ?? sent.replyTo),
    ...Object.entries((sent.headers ?? {}) as Record<string, string>).flatMap(([k, v]) => [k, v]),
  ]
}

describe('outbound mail headers', () => {
  let db: Db
  let org: Org
  let resend: Awaited<ReturnType<typeof startResendServer>>
  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    resend = await startResendServer()
  })
  afterAll(async () => {
    await resend.close()
    await db.end()
  })

  const viaResend = () => createResendMailer({ apiKey: 're_test_key', baseUrl: resend.baseUrl, from: 'Desk <desk@example.com>' })
  const transports: [string, () => Mailer][] = [
    ['Resend', viaResend],
    ['dev mailbox', () => createDevMailer(db)],
  ]
  const mail = (fields: Partial<OutboundMail> = {}): OutboundMail => ({
    orgId: org.id,
    to: 'pat@customer.test',
    subject: 'Re: order',
    text: 'We are on it.',
    idempotencyKey: `test/${randomBytes(6).toString('hex')}`,
    ...fields,
  })
  /** What the transport handed on: the stand-in's request body, or the dev mailbox row. */
  async function delivered(name: string, key: string): Promise<Record<string, unknown> | undefined> {
    if (name === 'Resend') return resend.emails.find((e) => e.idempotencyKey === key)?.body
    const [row] =
      await db`select subject, from_address as "from", to_addresses as "to", reply_to, headers from dev_mailbox where idempotency_key = ${key}`
    return row
  }
  async function refusal(mailer: Mailer, m: OutboundMail) {
    const before = { sent: resend.requestCount() }
    const error = await mailer.send(m).then(
      () => null,
      (e: unknown) => e,
    )
    const after = {
      sent: resend.requestCount(),
      held: (await db`select count(*)::int as n from dev_mailbox where idempotency_key = ${m.idempotencyKey!}`)[0]!.n as number,
    }
    expect(after.sent).toBe(before.sent) // nothing reached the provider
    expect(after.held).toBe(0) // nothing was held
    return error
  }

  it.each(transports)('folds line breaks and control characters in the subject and header values to a space (%s)', async (name, mailer) => {
    const m = mail({
      subject: 'Re: Refund please\r\nBcc: spy@attacker.test',
      headers: { 'X-Case': 'ESC-1\r\nX-Injected: yes', 'X-Note': 'tab\there\u0000nul\u001bescape\u2028separator\u0085next' },
    })
    await mailer().send(m)
    const sent = await delivered(name, m.idempotencyKey!)
    expect(sent).toBeTruthy()
    expect(sent!.subject).toBe('Re: Refund please Bcc: spy@attacker.test')
    expect((sent!.headers as Record<string, string>)['X-Case']).toBe('ESC-1 X-Injected: yes')
    expect((sent!.headers as Record<string, string>)['X-Note']).toBe('tab here nul escape separator next')
    for (const value of headerValues(sent!)) expect(value, JSON.stringify(value)).not.toMatch(lineBreak)
  })

  it.each(transports)('passes well-formed thread headers through unchanged (%s)', async (name, mailer) => {
    const headers = {
      'Message-ID': '<a1b2.c3@desk.example.com>',
      'In-Reply-To': '<CAF=x+y_z@mail.gmail.com>',
      References: '<r0@x.test> <CAF=x+y_z@mail.gmail.com>',
    }
    const m = mail({ replyTo: 'escalations+Tok_en-1@acme.test', from: 'Acme Desk <desk@acme.test>', headers })
    await mailer().send(m)
    const sent = await delivered(name, m.idempotencyKey!)
    expect(sent!.headers).toEqual(headers)
    expect(sent!.from).toBe('Acme Desk <desk@acme.test>')
  })

  const badIds: [string, Record<string, string>, RegExp][] = [
    ['a CRLF inside the Message-ID', { 'Message-ID': '<m1\r\nBcc: spy@attacker.test>' }, /Message-ID/],
    ['a CRLF inside In-Reply-To', { 'In-Reply-To': '<m1\r\nBcc: spy@attacker.test>' }, /In-Reply-To/],
    ['a CRLF inside one of the References', { References: '<ok@x.test> <r0@x\r\nX-Injected: yes>' }, /References/],
    ['a space inside a msg-id', { 'In-Reply-To': '<m1 Bcc: spy@attacker.test>' }, /In-Reply-To/],
    ['no angle brackets', { 'In-Reply-To': 'm1@customer.test' }, /In-Reply-To/],
    ['no @', { 'Message-ID': '<just-a-token>' }, /Message-ID/],
    ['two ids in In-Reply-To', { 'In-Reply-To': '<a@x.test> <b@x.test>' }, /In-Reply-To/],
    ['an id over 998 characters', { References: `<${'a'.repeat(990)}@example.test>` }, /References/],
  ]
  for (const [name, mailer] of transports) {
    it.each(badIds)(`refuses %s for good, sending nothing (${name})`, async (_, headers, field) => {
      const error = await refusal(mailer(), mail({ headers }))
      expect(error).toBeInstanceOf(MailSendError)
      expect((error as MailSendError).retryable).toBe(false)
      expect((error as MailSendError).message).toMatch(field)
    })
  }

  const badMail: [string, Partial<OutboundMail>, RegExp][] = [
    ['a CRLF in a recipient', { to: 'pat@customer.test\r\nBcc: spy@attacker.test' }, /recipient/i],
    ['two addresses in one recipient', { to: ['pat@customer.test, spy@attacker.test'] }, /recipient/i],
    ['a recipient that is not an address', { to: 'not an address' }, /recipient/i],
    ['no recipient at all', { to: [] }, /recipient/i],
    ['a CRLF in the sender', { from: 'Desk <desk@example.com>\r\nBcc: spy@attacker.test' }, /sender/i],
    ['a CRLF in the sender name', { from: 'Desk\r\nBcc: spy@attacker.test <desk@example.com>' }, /sender/i],
    ['a CRLF in Reply-To', { replyTo: 'escalations+tok@acme.test\r\nBcc: spy@attacker.test' }, /reply-to/i],
    ['a header name with a colon', { headers: { 'X-A: b\r\nBcc': 'spy@attacker.test' } }, /header name/i],
    ['a header name with a space', { headers: { 'X Case': '1' } }, /header name/i],
    ['a Bcc header slipped in as a custom header', { headers: { bcc: 'spy@attacker.test' } }, /bcc header/i],
    ['a second To header', { headers: { To: 'spy@attacker.test' } }, /To/],
  ]
  for (const [name, mailer] of transports) {
    it.each(badMail)(`refuses %s for good, sending nothing (${name})`, async (_, fields, reason) => {
      const error = await refusal(mailer(), mail(fields))
      expect(error).toBeInstanceOf(MailSendError)
      expect((error as MailSendError).retryable).toBe(false)
      expect((error as MailSendError).message).toMatch(reason)
    })
  }

  it('keeps provider refusals retryable or not as before (the boundary adds only permanent ones)', () => {
    expect(new MailSendError('x', 503, null).retryable).toBe(true)
    expect(new MailSendError('x', null, null).retryable).toBe(true)
    expect(new MailSendError('x', 422, null).retryable).toBe(false)
  })
})
