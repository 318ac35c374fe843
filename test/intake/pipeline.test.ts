import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { buildEml, seedOrg, testDb } from '../support/db.ts'

const corpusDir = fileURLToPath(new URL('../../../shared/corpus/', import.meta.url))
const synthetic = fileURLToPath(new URL('../fixtures/mail/synthetic/', import.meta.url))
const fixture = async (name: string) => readFile(join(synthetic, name), 'utf8')
const bytes = (text: string) => new TextEncoder().encode(text)

async function emlFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.eml'))
    .map((e) => join(e.parentPath, e.name))
    .sort()
}

describe('intake pipeline on real Postgres', () => {
  let db: Db
  let org: Org
  const caseOf = (label: string) => withOrg(db, org.id, async (tx) => (await tx`select * from cases where 'ESC-' || number = ${label}`)[0]!)

  beforeAll(async () => {
    db = testDb(8)
    org = await seedOrg(db, { executiveForwarders: ['ceo@example.com', 'coo@example.com'] })
  })
  afterAll(() => db.end())

  it(
    'every message of the shared corpus ends as a case, a thread, a duplicate, a kept not-escalation or a quarantine with a reason',
    { timeout: 120_000 },
    async () => {
      const corpusOrg = await seedOrg(db)
      const files = await emlFiles(corpusDir)
      expect(files.length).toBeGreaterThan(200)
      const outcomes: Record<string, number> = {}
      const rawIds = new Set<string>()
      for (const file of files) {
        const outcome = await ingestMessage(db, { orgId: corpusOrg.id, raw: new Uint8Array(await readFile(file)), provider: 'test' })
        outcomes[outcome.status] = (outcomes[outcome.status] ?? 0) + 1
        rawIds.add(outcome.rawId)
        if (outcome.status === 'quarantined') expect(outcome.reason, file).toMatch(/\w/)
      }
      const raw = await withOrg(
        db,
        corpusOrg.id,
        (tx) => tx<{ status: string; n: number; reasons: number }[]>`
      select status, count(*)::int as n, count(reason)::int as reasons from inbound_raw group by status`,
      )
      const total = raw.reduce((sum, r) => sum + r.n, 0)
      // None lost: every file is a stored raw row, or a redelivery (same Message-ID or bytes as an
      // earlier file already on a case) answered with that earlier row and not stored again.
      expect(total).toBe(rawIds.size)
      expect(total + (outcomes.duplicate ?? 0)).toBeGreaterThanOrEqual(files.length)
      expect(raw.find((r) => r.status === 'received')).toBeUndefined() // none left half-done
      const quarantined = raw.find((r) => r.status === 'quarantined')
      expect(quarantined?.reasons ?? 0).toBe(quarantined?.n ?? 0)
      // The corpus holds real auto-replies, bounces and newsletters: kept, each with its reason, no case.
      const kept = raw.find((r) => r.status === 'not_escalation')
      expect(kept?.reasons ?? 0).toBe(kept?.n ?? 0)
      expect(outcomes.created).toBeGreaterThan(120)
      expect((outcomes.created ?? 0) + (outcomes.not_escalation ?? 0)).toBeGreaterThan(150)
      console.info(`corpus: ${files.length} messages →`, outcomes)
    },
  )

  it.each([
    ['bbb-complaint-notification.eml', { source: 'bbb', external_ref: 'BBB-18834521' }],
    ['bbb-complaint-forwarded-by-ceo.eml', { source: 'bbb', external_ref: 'BBB-50917736' }],
    ['lawyer-letter-inline.eml', { source: 'lawyer' }],
    ['lawyer-letter-pdf.eml', { source: 'lawyer' }],
    // The rubric: a regulator's notice without SEV-1 facts is SEV-2 (it used to be SEV-1).
    ['regulator-state-ag.eml', { source: 'regulator', severity: 'SEV-2', customer_name: 'Harold Jennings', customer_email: null }],
    [
      'social-threat-ceo-forward.eml',
      { source: 'social', customer_email: 'dana.whitfield@example.net', forwarded_by: ['ceo@example.com'] },
    ],
    [
      'double-forward-ceo-assistant.eml',
      { source: 'ceo_inbox', customer_email: 'rchen@bigcorp.example', forwarded_by: ['assistant@example.com', 'ceo@example.com'] },
    ],
    ['direct-complaint.eml', { source: 'direct', customer_email: 'priya.n@example.org' }],
  ])('%s becomes a case with the right source, customer and reference', async (name, expected) => {
    const fresh = await seedOrg(db, { executiveForwarders: ['ceo@example.com'] })
    const outcome = await ingestMessage(db, { orgId: fresh.id, raw: bytes(await fixture(name)), provider: 'test' })
    expect(outcome.status).toBe('created')
    const row = await withOrg(db, fresh.id, async (tx) => (await tx`select * from cases`)[0]!)
    expect(row).toMatchObject(expected)
    expect(row.severity_reasons.length).toBeGreaterThan(0)
  })

  it('two executives forwarding the same complaint make one case with both forwarders recorded', async () => {
    const original = await fixture('social-threat-ceo-forward.eml')
    const byCoo = original
      .replace('From: Alex Morgan <ceo@example.com>', 'From: Sam Ortiz <coo@example.com>')
      .replace('<B7E1-ceo-social-2026@mail.example.com>', '<coo-copy-2026@mail.example.com>')
      .replace('This is all over my feed this morning.', 'Saw this too - who owns it?')
    const outcomes = await Promise.all(
      [original, byCoo].map((text) => ingestMessage(db, { orgId: org.id, raw: bytes(text), provider: 'test' })),
    )
    expect(outcomes.map((o) => o.status).sort()).toEqual(['created', 'threaded'])
    expect(outcomes[0]!.case).toBe(outcomes[1]!.case)
    const row = await caseOf(outcomes[0]!.case!)
    expect([...row.forwarded_by].sort()).toEqual(['ceo@example.com', 'coo@example.com'])
  })

  it('the same BBB complaint number joins the case that has it', async () => {
    const first = await ingestMessage(db, { orgId: org.id, raw: bytes(await fixture('bbb-complaint-notification.eml')), provider: 'test' })
    const followUp = buildEml({
      from: 'BBB Complaints <noreply@bbb.org>',
      subject: 'BBB Complaint #18834521 - Business response due in 5 days',
      body: 'Complaint #18834521 is still awaiting your response.',
    })
    const second = await ingestMessage(db, { orgId: org.id, raw: followUp, provider: 'test' })
    expect(second).toMatchObject({ status: 'threaded', case: first.case })
  })

  it('a customer reply threads by our reply token, or by In-Reply-To, never by subject alone', async () => {
    const customer = 'Rita Customer <rita@customer.test>'
    const first = await ingestMessage(db, {
      orgId: org.id,
      raw: buildEml({ from: customer, subject: 'Locked out of my account', messageId: 'rita-1@customer.test' }),
      provider: 'test',
    })
    const kase = await caseOf(first.case!)
    const inbound = org.inboundAddresses[0]!.replace('@', `+${kase.reply_token}@`)

    const byToken = await ingestMessage(db, {
      orgId: org.id,
      raw: buildEml({ from: customer, to: inbound, subject: 'anything at all' }),
      provider: 'test',
    })
    expect(byToken).toMatchObject({ status: 'threaded', case: first.case })
    const byHeader = await ingestMessage(db, {
      orgId: org.id,
      raw: buildEml({ from: customer, subject: 'Re: Locked out', headers: ['In-Reply-To: <rita-1@customer.test>'] }),
      provider: 'test',
    })
    expect(byHeader).toMatchObject({ status: 'threaded', case: first.case })
    const bySubject = await ingestMessage(db, {
      orgId: org.id,
      raw: buildEml({ from: customer, subject: 'Re: Locked out of my account' }),
      provider: 'test',
    })
    expect(bySubject.status).toBe('created')
    expect(bySubject.case).not.toBe(first.case)
  })

  it('flags a reply from an address that is not on the case, and reopens a case waiting on the customer', async () => {
    const first = await ingestMessage(db, {
      orgId: org.id,
      raw: buildEml({ from: 'Ann <ann@customer.test>', messageId: 'ann-1@customer.test' }),
      provider: 'test',
    })
    const kase = await caseOf(first.case!)
    await withOrg(db, org.id, (tx) => tx`update cases set status = 'waiting_customer' where id = ${kase.id}`)
    await ingestMessage(db, {
      orgId: org.id,
      raw: buildEml({ from: 'Mallory <mallory@elsewhere.test>', headers: ['In-Reply-To: <ann-1@customer.test>'] }),
      provider: 'test',
    })
    await ingestMessage(db, {
      orgId: org.id,
      raw: buildEml({ from: 'Ann <ann@customer.test>', headers: ['In-Reply-To: <ann-1@customer.test>'] }),
      provider: 'test',
    })
    const messages = await withOrg(
      db,
      org.id,
      (tx) => tx`select from_email, unknown_sender, threaded_by from messages where case_id = ${kase.id} order by created_at`,
    )
    expect(messages.map((m) => [m.from_email, m.unknown_sender])).toEqual([
      ['ann@customer.test', false],
      ['mallory@elsewhere.test', true],
      ['ann@customer.test', false],
    ])
    expect((await caseOf(first.case!)).status).toBe('in_progress')
  })

  it('a case from mail with CR/LF hidden in encoded words keeps them out of the subject and the reply headers', async () => {
    const fresh = await seedOrg(db)
    const raw = bytes(
      [
        'From: Pat <pat@customer.test>',
        `To: ${fresh.inboundAddresses[0]}`,
        'Subject: =?utf-8?Q?Refund_please=0D=0ABcc:_spy@attacker.test?=',
        'Message-ID: =?utf-8?Q?<m1=0D=0ABcc:_spy@attacker.test>?=',
        'References: =?utf-8?Q?<r0@x=0D=0AX-Injected:_yes>?= <r1@customer.test>',
        'Content-Type: text/plain',
        '',
        'Please refund me.',
        '',
      ].join('\r\n'),
    )
    const outcome = await ingestMessage(db, { orgId: fresh.id, raw, provider: 'test' })
    expect(outcome.status).toBe('created')
    const row = await withOrg(
      db,
      fresh.id,
      async (tx) => (await tx`select subject, original_subject, reply_to_message_id, reply_references from cases`)[0]!,
    )
    expect(row).toEqual({
      subject: 'Refund please Bcc: spy@attacker.test',
      original_subject: 'Refund please Bcc: spy@attacker.test',
      reply_to_message_id: null,
      reply_references: ['r1@customer.test'],
    })
  })

  it('a forward whose quoted Subject line holds control characters gives the case a clean subject', async () => {
    const fresh = await seedOrg(db)
    const raw = bytes(
      [
        'From: CEO <ceo@example.com>',
        `To: ${fresh.inboundAddresses[0]}`,
        'Subject: Fwd: complaint',
        `Message-ID: <fwd-${Date.now()}@example.com>`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        '---------- Forwarded message ---------',
        'From: Pat <pat@customer.test>',
        'Date: Mon, 19 Jan 2026 09:00:00 +0000',
        'Subject: My order\u000b\u0007 never came',
        'To: <ceo@example.com>',
        '',
        'Where is it?',
        '',
      ].join('\r\n'),
    )
    const outcome = await ingestMessage(db, { orgId: fresh.id, raw, provider: 'test' })
    expect(outcome.status).toBe('created')
    const row = await withOrg(db, fresh.id, async (tx) => (await tx`select subject, customer_email from cases`)[0]!)
    expect(row).toEqual({ subject: expect.stringMatching(/^My order +never came$/), customer_email: 'pat@customer.test' })
  })

  it('the same message delivered 20 times at once makes one case', async () => {
    const raw = buildEml({ messageId: `burst-${Date.now()}@customer.test` })
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => ingestMessage(db, { orgId: org.id, raw, provider: 'test' })))
    expect(outcomes.filter((o) => o.status === 'created')).toHaveLength(1)
    expect(outcomes.filter((o) => o.status === 'duplicate')).toHaveLength(19)
  })
})
