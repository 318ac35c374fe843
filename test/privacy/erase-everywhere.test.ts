import { randomBytes } from 'node:crypto'
import { strFromU8, unzipSync } from 'fflate'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decide } from '../../src/approvals/decide.ts'
import { verifyAuditChain } from '../../src/audit/audit.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { erasePerson } from '../../src/privacy/erase.ts'
import { exportPerson } from '../../src/privacy/export.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDatabaseUrl, testDb } from '../support/db.ts'
import { seedDraft } from '../support/drafts.ts'
import { runDesk } from '../support/process.ts'

// Erasure reaches every place a person is held (sql/00045), on real Postgres with RLS: each
// place is seeded with their address, name and words, the export holds them before, and after
// the erasure no text, JSON, array, search or raw column of any table holds any of them.

/** One person with words nobody else uses, so a whole-database search finds only them. */
function person() {
  const tag = randomBytes(4).toString('hex')
  const name = `Pat Quill${tag}`
  return {
    address: `pat.${tag}@customer.test`,
    name,
    nameToken: `quill${tag}`,
    subject: `Order Zorb${tag} never arrived`,
    // Words of theirs that contain no name: they go only where a record belongs to their case.
    words: `wobbly${tag}`,
    tokens: [`pat.${tag}@customer.test`, `quill${tag}`, `zorb${tag}`, `wobbly${tag}`],
  }
}

/**
 * Every row of every table (the org's rows where the table has an org) whose text, JSON, arrays,
 * search vectors or bytes hold one of the tokens, as "table: row" (case-insensitive).
 */
async function rowsHolding(db: Db, orgId: string, tokens: string[]): Promise<string[]> {
  const columns = await db<{ table: string; column: string; type: string }[]>`
    select c.table_name as table, c.column_name as column, c.udt_name as type
    from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
      and c.udt_name in ('text', '_text', 'jsonb', 'json', 'varchar', 'bytea', 'tsvector')`
  const byTable = new Map<string, { column: string; type: string }[]>()
  for (const c of columns) byTable.set(c.table, [...(byTable.get(c.table) ?? []), c])
  const withOrgId = new Set(
    (
      await db<{ table: string }[]>`
        select table_name as table from information_schema.columns where table_schema = 'public' and column_name = 'org_id'`
    ).map((r) => r.table),
  )
  const found: string[] = []
  for (const [table, cols] of byTable) {
    const text = cols
      .map(({ column, type }) => (type === 'bytea' ? `coalesce(encode(t.${column}, 'escape'), '')` : `coalesce(t.${column}::text, '')`))
      .join(` || ' ' || `)
    const rows = await db.unsafe<{ row: string }[]>(
      `select ${text} as row from ${table} t ${withOrgId.has(table) ? 'where org_id = $1' : 'where $1::uuid is not null'}`,
      [orgId],
    )
    for (const { row } of rows)
      for (const token of tokens) if (row.toLowerCase().includes(token)) found.push(`${table} (${token}): ${row.slice(0, 160)}`)
  }
  return found
}

describe('erasure reaches every place a person is held', () => {
  let db: Db
  beforeAll(() => {
    db = testDb(3)
  })
  afterAll(() => db.end())

  /** The person in each place the erasure covers, and another customer, Lee, beside them. */
  async function arrange() {
    const p = person()
    const org = await seedOrg(db)
    const admin = await seedUser(db, org.id, 'admin')
    const approver = await seedUser(db, org.id, 'approver')
    const theirs = await seedCase(db, org.id, {
      from: `${p.name} <${p.address}>`,
      subject: p.subject,
      body: `Nothing came. My ${p.words} order, please call me.`,
    })
    const lee = await seedCase(db, org.id, { from: 'Lee Other <lee@other.test>', subject: 'Refund for order 9' })
    const decideOn = async (caseId: string, note: string) => {
      const draft = await seedDraft(db, org.id, caseId)
      const result = await withOrg(db, org.id, (tx) =>
        decide(tx, {
          orgId: org.id,
          caseId,
          draftId: draft.id,
          approver: { id: approver.id, role: 'approver' },
          decision: 'rejected',
          note,
          via: 'portal',
          messageIdDomain: 'example.com',
        }),
      )
      if (!result.ok) throw new Error('decision failed')
    }
    await decideOn(theirs.id, `Too cold for the ${p.words} customer`)
    await decideOn(lee.id, `Lee was cc'd by ${p.name}; keep her out of it`)

    const q = (strings: TemplateStringsArray, ...values: unknown[]) => db(strings, ...(values as never[]))
    const [endpoint] = await q`
      insert into webhook_endpoints (org_id, url, event_types, secret_sealed)
      values (${org.id}, 'https://hooks.example/desk', '{case.opened}', 'sealed') returning id`
    const [delivery] = await q`
      insert into webhook_deliveries (org_id, endpoint_id, event_type, case_id, payload)
      values (${org.id}, ${endpoint!.id}, 'case.opened', ${theirs.id},
              ${db.json({ type: 'case.opened', caseId: theirs.id, data: { customer: p.name, summary: `the ${p.words} order` } })})
      returning id`
    const [link] = await q`
      insert into customer_links (jti, org_id, case_id, purpose, expires_at)
      values (${randomBytes(8).toString('hex')}, ${org.id}, ${theirs.id}, 'csat', now() + interval '7 days') returning jti`
    const [leeLink] = await q`
      insert into customer_links (jti, org_id, case_id, purpose, expires_at)
      values (${randomBytes(8).toString('hex')}, ${org.id}, ${lee.id}, 'csat', now() + interval '7 days') returning jti`
    const raw = new TextEncoder().encode(`From: Someone <someone@else.test>\r\nCc: ${p.address}\r\nSubject: hi\r\n\r\nhello\r\n`)
    await Promise.all([
      q`insert into helpdesk_tickets (org_id, provider, ticket_id, case_id, ticket_url)
        values (${org.id}, 'generic', ${`T-${randomBytes(3).toString('hex')}`}, ${theirs.id}, ${`https://help.example/t/${p.words}`})`,
      q`insert into jobs (org_id, kind, payload, run_at)
        values (${org.id}, 'draft', ${db.json({ caseId: theirs.id, instruction: `Offer the ${p.words} refund` })}, now() + interval '1 hour'),
               (${org.id}, 'chat_notify', ${db.json({ caseId: lee.id, text: `Lee asked about ${p.name}` })}, now() + interval '1 hour')`,
      q`insert into form_submissions (org_id, user_id, key, method, path, state, response_status, response_body)
        values (${org.id}, ${admin.id}, ${randomBytes(12).toString('hex')}, 'POST', '/admin/privacy/erase/preview', 'answered', 200,
                ${`<p>Would erase ${p.address}</p>`})`,
      q`insert into inbound_raw (org_id, provider, sha256, size, raw, status, reason)
        values (${org.id}, 'test', ${randomBytes(16).toString('hex')}, ${raw.byteLength}, ${raw}, 'quarantined', 'unreadable')`,
      q`insert into webhook_attempts (org_id, delivery_id, status_code, duration_ms, error)
        values (${org.id}, ${delivery!.id}, 500, 12, ${`rejected ${p.address}`})`,
      q`insert into chat_deliveries (org_id, case_id, destination, event_type, outcome, detail)
        values (${org.id}, ${theirs.id}, 'slack', 'case.opened', 'failed', ${`channel refused the ${p.words} post`})`,
      q`insert into case_war_rooms (case_id, org_id, status_line, hypothesis)
        values (${theirs.id}, ${org.id}, ${`the ${p.words} outage`}, 'cache'),
               (${lee.id}, ${org.id}, 'all good', ${`same as ${p.name}'s problem`})`,
      q`insert into recovery_plans (org_id, case_id, impact_level, check_note)
        values (${org.id}, ${theirs.id}, 'moderate', ${`called about ${p.words}`})`,
      q`insert into recovery_items (org_id, case_id, kind, title, owner_id, due_on)
        values (${org.id}, ${lee.id}, 'apology', ${`Apologise as to ${p.name}`}, ${admin.id}, current_date)`,
      q`insert into incident_reviews (org_id, case_id, customer_summary, root_cause)
        values (${org.id}, ${theirs.id}, ${`the ${p.words} order was lost`}, 'a courier mix-up')`,
      q`insert into prevention_actions (org_id, case_id, owner_id, title, due_on)
        values (${org.id}, ${lee.id}, ${admin.id}, ${`Never again, ${p.name}`}, current_date)`,
      q`insert into intake_examples (org_id, case_id, field, intake_value, decided_value)
        values (${org.id}, ${theirs.id}, 'customer', ${db.json({ name: 'Pat' })}, ${db.json({ name: p.name, email: p.address })})`,
      q`insert into csat_responses (org_id, case_id, link_jti, rating, comment)
        values (${org.id}, ${lee.id}, ${leeLink!.jti}, 4, ${`better than for ${p.name}`}),
               (${org.id}, ${theirs.id}, ${link!.jti}, 1, ${`the ${p.words} mess`})`,
      q`insert into import_runs (org_id, kind, state, file_name, csv, preview, created_by)
        values (${org.id}, 'cases', 'previewed', 'march.csv',
                ${`email,name,body\n${p.address},${p.name},"line one\n${p.words} two"\nlee@other.test,Lee Other,fine\n`},
                ${db.json({
                  rows: [
                    { email: p.address, name: p.name },
                    { email: 'lee@other.test', name: 'Lee Other' },
                  ],
                })}, ${admin.id})`,
      q`insert into digest_runs (org_id, local_date, idempotency_key, status, subject, text_body)
        values (${org.id}, current_date, ${randomBytes(8).toString('hex')}, 'sent', 'Your digest',
                ${`${theirs.label} ${p.subject} (${p.name})\n${lee.label} Refund for order 9 (Lee Other)`})`,
      q`insert into alerts_sent (org_id, kind, alert_key, case_id, idempotency_key, subject, text_body)
        values (${org.id}, 'new_sev1', ${`sev1:${theirs.id}`}, ${theirs.id}, ${randomBytes(8).toString('hex')}, 'New SEV1',
                ${`the ${p.words} complaint`})`,
      q`insert into internal_updates (org_id, case_id, recipients, subject, text_body, idempotency_key)
        values (${org.id}, ${theirs.id}, '{ceo@example.test}', 'Update', ${`the ${p.words} order is found`}, ${randomBytes(8).toString('hex')})`,
      q`insert into dev_mailbox (org_id, to_addresses, from_address, subject, text_body)
        values (${org.id}, '{ceo@example.test}', 'desk@example.test', 'New SEV1', ${`from ${p.name} <${p.address}>`})`,
      q`insert into saved_views (org_id, owner_id, name, query) values (${org.id}, ${admin.id}, 'Pat', ${`from:${p.address}`})`,
      q`insert into messages (org_id, case_id, direction, from_email, to_emails, subject, text_body)
        values (${org.id}, ${lee.id}, 'note', 'agent@example.test', '{}', 'Note', ${`Lee knows ${p.name}`})`,
    ])
    return { p, org, admin, theirs, lee }
  }

  it('the export holds them in each place before', async () => {
    const { p, org } = await arrange()
    const result = await exportPerson(db, org.id, { kind: 'system', id: 'test' }, p.address)
    if ('problem' in result) throw new Error(result.problem)
    const files = unzipSync(result.zip)
    const held = JSON.parse(strFromU8(files['person.json']!)).heldElsewhere as Record<string, unknown[]>
    for (const place of [
      'approvalNotes',
      'helpdeskTickets',
      'jobs',
      'formAnswers',
      'quarantine',
      'webhookDeliveries',
      'chatDeliveries',
      'warRooms',
      'recovery',
      'reviews',
      'intakeExamples',
      'csat',
      'customerLinks',
      'importRuns',
      'staffMail',
      'devMailbox',
      'savedViews',
      'mentions',
    ])
      expect(held[place]?.length, place).toBeGreaterThan(0)
    expect(JSON.stringify(held.importRuns)).toContain(`${p.words} two`)
    expect(JSON.stringify(held.importRuns)).not.toContain('lee@other.test,Lee Other')
    expect(JSON.stringify(held.warRooms)).toContain(`${p.name}'s problem`)
    // The mail that reached no case of theirs is in the zip as it arrived.
    const quarantined = Object.keys(files).filter((name) => name.startsWith('other-mail/') && name.endsWith('.eml'))
    expect(quarantined.map((name) => strFromU8(files[name]!)).join('')).toContain(`Cc: ${p.address}`)
  })

  it('a dry run counts every place and changes nothing', async () => {
    const { p, org, admin } = await arrange()
    const before = await rowsHolding(db, org.id, p.tokens)
    const outcome = await erasePerson(db, org.id, admin.id, p.address, true)
    expect(outcome).toMatchObject({
      ok: true,
      counts: {
        cases: 1,
        approvalNotes: 2,
        helpdeskTickets: 1,
        formAnswers: 1,
        quarantine: 1,
        webhookDeliveries: 1,
        chatDeliveries: 1,
        warRooms: 2,
        recovery: 2,
        reviews: 1,
        intakeExamples: 1,
        customerLinks: 1,
        importRuns: 1,
        staffMail: 3,
        savedViews: 1,
      },
    })
    // Intake queued a draft of their case too: the redraft, the chat post naming them, and it.
    if (outcome.ok) expect(outcome.counts.jobs).toBeGreaterThanOrEqual(2)
    expect(await rowsHolding(db, org.id, p.tokens)).toEqual(before)
  })

  it('after it nothing of them remains in any table, Lee keeps hers, and the chain verifies', async () => {
    const { p, org, admin, theirs, lee } = await arrange()
    expect((await rowsHolding(db, org.id, p.tokens)).length).toBeGreaterThan(25)
    const outcome = await erasePerson(db, org.id, admin.id, p.address, false)
    expect(outcome).toMatchObject({ ok: true, counts: { cases: 1 } })
    expect(await rowsHolding(db, org.id, p.tokens)).toEqual([])

    // Lee's records keep her words; what named Pat is a tombstone.
    const [csv] = await db`select csv, preview from import_runs where org_id = ${org.id}`
    expect(csv).toEqual({
      csv: 'email,name,body\nlee@other.test,Lee Other,fine\n',
      preview: {
        rows: [
          { email: '[erased]', name: '[erased]' },
          { email: 'lee@other.test', name: 'Lee Other' },
        ],
      },
    })
    const [room] = await db`select hypothesis from case_war_rooms where case_id = ${lee.id}`
    expect(room!.hypothesis).toBe(`same as [erased]'s problem`)
    const [digest] = await db`select text_body from digest_runs where org_id = ${org.id}`
    expect(digest!.text_body).toBe(`${theirs.label} [erased] ([erased])\n${lee.label} Refund for order 9 (Lee Other)`)
    // Their case's pending redraft will not run; the ticket id still answers a helpdesk retry.
    const [job] =
      await db`select failed_at is not null as cancelled from jobs where org_id = ${org.id} and kind = 'draft' and run_at > now()`
    expect(job).toEqual({ cancelled: true })
    const [ticket] = await db`select ticket_url from helpdesk_tickets where case_id = ${theirs.id}`
    expect(ticket).toEqual({ ticket_url: null })
    const [csat] = await db`select rating from csat_responses where case_id = ${theirs.id}`
    expect(csat).toEqual({ rating: 1 })

    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: true })
    const verify = await runDesk(['audit', 'verify', '--org', org.slug], { DATABASE_URL: testDatabaseUrl(), DESK_DEMO: '0' })
    expect(verify).toMatchObject({ code: 0, stdout: expect.stringMatching(/intact/) })
  })

  it("another org's export and erasure see none of it; approvals stay append-only but for the erasure's note", async () => {
    const { p, org } = await arrange()
    const elsewhere = await seedOrg(db)
    const otherAdmin = await seedUser(db, elsewhere.id, 'admin')
    const foreign = await exportPerson(db, elsewhere.id, { kind: 'system', id: 'test' }, p.address)
    if ('problem' in foreign) throw new Error(foreign.problem)
    const held = JSON.parse(strFromU8(unzipSync(foreign.zip)['person.json']!)).heldElsewhere as Record<string, unknown[]>
    expect(Object.entries(held).filter(([, rows]) => rows.length)).toEqual([])
    const before = await rowsHolding(db, org.id, p.tokens)
    expect(await erasePerson(db, elsewhere.id, otherAdmin.id, p.address, false)).toMatchObject({ ok: true, counts: { cases: 0, jobs: 0 } })
    expect(await rowsHolding(db, org.id, p.tokens)).toEqual(before)

    // The owner may tombstone a note through the erasure; no one rewrites a decision or deletes one.
    await expect(db`update approvals set decision = 'approved' where org_id = ${org.id}`).rejects.toThrow(/append-only/)
    await expect(db`delete from approvals where org_id = ${org.id}`).rejects.toThrow(/append-only/)
    await expect(withOrg(db, org.id, (tx) => tx`update approvals set note = 'rewritten' where org_id = ${org.id}`)).rejects.toThrow(
      /append-only|permission denied/,
    )
  })

  it('a person held only in mail that reached no case is erased too', async () => {
    const p = person()
    const org = await seedOrg(db)
    const admin = await seedUser(db, org.id, 'admin')
    const raw = new TextEncoder().encode(`From: ${p.name} <${p.address.toUpperCase()}>\r\nSubject: ${p.subject}\r\n\r\n${p.words}\r\n`)
    await db`
      insert into inbound_raw (org_id, provider, sha256, size, raw, status, reason, envelope, summary)
      values (${org.id}, 'test', ${randomBytes(16).toString('hex')}, ${raw.byteLength}, ${raw}, 'quarantined', 'unreadable',
              ${db.json({ from: 'bounce@mailer.test' })}, ${db.json({ from: p.address, name: p.name, subject: p.subject, kind: null })})`
    const exported = await exportPerson(db, org.id, { kind: 'system', id: 'test' }, p.address)
    if ('problem' in exported) throw new Error(exported.problem)
    expect(Object.keys(unzipSync(exported.zip)).filter((n) => n.endsWith('.eml'))).toHaveLength(1)
    expect(await erasePerson(db, org.id, admin.id, p.address, true)).toMatchObject({ counts: { cases: 0, quarantine: 1 } })
    await erasePerson(db, org.id, admin.id, p.address, false)
    expect(await rowsHolding(db, org.id, p.tokens)).toEqual([])
    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: true })
  })
})
