import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decide } from '../../src/approvals/decide.ts'
import { recordAudit, verifyAuditChain } from '../../src/audit/audit.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { erasePerson } from '../../src/privacy/erase.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDatabaseUrl, testDb } from '../support/db.ts'
import { seedDraft } from '../support/drafts.ts'
import { runDesk } from '../support/process.ts'

// Erasure on real Postgres with RLS: after it, no row of the org holds the person's address or
// name, the other customer's case is untouched, and `desk audit verify` still passes.

const pat = 'Pat.Doe@customer.test'

const letter = (from: string, subject: string) => ({
  from,
  subject,
  body: 'My order 4471 never arrived. Call me on 0170 555 0101. Pat Doe, Kirchweg 7',
})

/** Every row of the org's tables that mentions `needle`, as "table: row" (case-insensitive). */
async function rowsMentioning(db: Db, orgId: string, needle: string): Promise<string[]> {
  const tables = [
    'cases',
    'messages',
    'drafts',
    'outbox',
    'inbound_raw',
    'message_attachments',
    'dev_mailbox',
    'audit_events',
    'case_search',
  ]
  const found: string[] = []
  for (const table of tables) {
    const rows = await db.unsafe<{ row: string }[]>(
      `select row_to_json(t)::text || coalesce(convert_from(nullif(t.raw_text, ''), 'UTF8'), '') as row
       from (select x.*, ${table === 'inbound_raw' ? 'x.raw' : `''::bytea`} as raw_text from ${table} x where org_id = $1) t`,
      [orgId],
    )
    for (const { row } of rows) if (row.toLowerCase().includes(needle.toLowerCase())) found.push(`${table}: ${row.slice(0, 200)}`)
  }
  return found
}

describe('erasure of a person', () => {
  let db: Db
  const env = () => ({ DATABASE_URL: testDatabaseUrl(), DESK_DEMO: '0' })
  beforeAll(() => {
    db = testDb(3)
  })
  afterAll(() => db.end())

  async function arrange() {
    const org = await seedOrg(db)
    const admin = await seedUser(db, org.id, 'admin')
    const approver = await seedUser(db, org.id, 'approver')
    const first = await seedCase(db, org.id, letter(`Pat Doe <${pat}>`, 'Order 4471 never arrived'))
    const second = await seedCase(db, org.id, letter(`"Doe, Pat" <${pat.toUpperCase()}>`, 'Still nothing from you'))
    const other = await seedCase(db, org.id, { from: 'Lee Other <lee@other.test>', subject: 'Refund for order 9' })
    // An approved reply waiting to be sent: the outbox row is frozen to the app role.
    const draft = await seedDraft(db, org.id, first.id)
    const approved = await withOrg(db, org.id, (tx) =>
      decide(tx, {
        orgId: org.id,
        caseId: first.id,
        draftId: draft.id,
        approver: { id: approver.id, role: 'approver' },
        decision: 'approved',
        via: 'portal',
        messageIdDomain: 'example.com',
      }),
    )
    if (!approved.ok || !approved.outboxId) throw new Error('approval failed')
    // Events that name the person: a correction of the customer's details, and their own reply.
    await withOrg(db, org.id, async (tx) => {
      await recordAudit(tx, org.id, {
        actor: { kind: 'user', id: admin.id },
        action: 'case.customer_correct',
        caseId: first.id,
        details: { from: { name: 'P. Doe', email: null }, to: { name: 'Pat Doe', email: pat.toLowerCase() }, reasons: ['typo', 7] },
      })
      await recordAudit(tx, org.id, {
        actor: { kind: 'customer', id: pat.toLowerCase() },
        action: 'case.status_change',
        caseId: second.id,
        details: { to: 'in_progress' },
      })
    })
    return { org, admin, approver, first, second, other, outboxId: approved.outboxId }
  }

  it('--dry-run prints what would be removed and changes nothing', async () => {
    const { org } = await arrange()
    const before = await rowsMentioning(db, org.id, pat)
    const result = await runDesk(['erase', '--org', org.slug, '--email', pat, '--dry-run'], env())
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(/would erase pat\.doe@customer\.test/)
    expect(result.stdout).toMatch(/2 case\(s\)/)
    expect(result.stdout).toMatch(/1 draft\(s\) and 1 repl/)
    expect(result.stdout).toMatch(/nothing was changed/)
    expect(await rowsMentioning(db, org.id, pat)).toEqual(before)
  })

  it('removes their mail, names and addresses everywhere, keeps the other case, and the chain verifies', async () => {
    const { org, admin, other, first, outboxId } = await arrange()
    expect((await rowsMentioning(db, org.id, pat)).length).toBeGreaterThan(5)
    const outcome = await erasePerson(db, org.id, admin.id, pat, false)
    // Audit events: the two naming them, and their cases' openings, whose words (the mail's
    // Message-ID, the severity's reasons) go with the cases (sql/00045).
    expect(outcome).toMatchObject({ ok: true, counts: { cases: 2, drafts: 1, outbox: 1, auditEvents: 4 } })

    for (const needle of [pat, 'Pat Doe', 'Doe, Pat', 'Kirchweg', 'Order 4471', 'Still nothing from you'])
      expect(await rowsMentioning(db, org.id, needle), needle).toEqual([])
    const [kept] = await db`select customer_email, subject from cases where id = ${other.id}`
    expect(kept).toEqual({ customer_email: 'lee@other.test', subject: 'Refund for order 9' })
    expect((await rowsMentioning(db, org.id, 'lee@other.test')).length).toBeGreaterThan(2)
    // The case row, its number and audit trail stay; the unsent reply is not sent any more.
    const [erased] = await db`select number, status, content_removed_reason from cases where id = ${first.id}`
    expect(erased).toMatchObject({ content_removed_reason: 'erasure' })
    const [reply] = await db`select status, to_emails from outbox where id = ${outboxId}`
    expect(reply).toEqual({ status: 'cancelled', to_emails: ['erased@erased.invalid'] })
    const [event] = await db`select actor_id, details from audit_events where org_id = ${org.id} and action = 'person.erase'`
    expect(event!.actor_id).toBe(admin.id)
    expect(event!.details).toMatchObject({ cases: 2, subjectSha256: expect.stringMatching(/^[0-9a-f]{64}$/) })

    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: true })
    const verify = await runDesk(['audit', 'verify', '--org', org.slug], env())
    expect(verify).toMatchObject({ code: 0, stdout: expect.stringMatching(/intact/) })
  })

  it('a tombstone edited afterwards breaks the chain', async () => {
    const { org, admin } = await arrange()
    await erasePerson(db, org.id, admin.id, pat, false)
    const [row] = await db<
      { seq: string }[]
    >`select seq::text from audit_events where org_id = ${org.id} and erased_at is not null order by seq limit 1`
    await db.begin(async (tx) => {
      await tx`alter table audit_events disable trigger audit_events_append_only`
      await tx`update audit_events set details = regexp_replace(details::text, 'erased:h:[0-9a-f]{4}', 'erased:h:0000')::jsonb
               where org_id = ${org.id} and seq = ${row!.seq}`
      await tx`alter table audit_events enable trigger audit_events_append_only`
    })
    expect(await verifyAuditChain(db, org.id)).toMatchObject({ ok: false, first: { seq: row!.seq } })
  })

  it('the owner path still refuses an audit edit that is not a tombstone', async () => {
    const { org } = await arrange()
    await expect(db`update audit_events set details = '{"forged":true}' where org_id = ${org.id} and seq = 1`).rejects.toThrow(
      /append-only/,
    )
  })

  it('only an active admin of the org erases; the app role cannot reach the operator path', async () => {
    const { org, approver } = await arrange()
    const elsewhere = await seedOrg(db)
    const foreignAdmin = await seedUser(db, elsewhere.id, 'admin')
    await expect(erasePerson(db, org.id, approver.id, pat, false)).rejects.toThrow(/only an active admin/)
    await expect(erasePerson(db, org.id, foreignAdmin.id, pat, false)).rejects.toThrow(/only an active admin/)
    // Another org's admin acting in their own org finds nobody of this org to erase.
    expect(await erasePerson(db, elsewhere.id, foreignAdmin.id, pat, false)).toMatchObject({ ok: true, counts: { cases: 0 } })
    await expect(withOrg(db, org.id, (tx) => tx`select erase_person_as(${org.id}, 'system', 'cli', ${pat}, false)`)).rejects.toThrow(
      /permission denied/,
    )
    expect((await rowsMentioning(db, org.id, pat)).length).toBeGreaterThan(5)
  })

  it('refuses something that is not an address', async () => {
    const { org, admin } = await arrange()
    expect(await erasePerson(db, org.id, admin.id, 'not an address', false)).toMatchObject({ ok: false })
    const result = await runDesk(['erase', '--org', org.slug, '--email', 'nobody'], env())
    expect(result.code).toBe(2)
  })
})
