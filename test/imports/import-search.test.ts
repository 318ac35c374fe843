import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { searchCases } from '../../src/cases/find.ts'
import { withOrg, type Db } from '../../src/db.ts'
import { importCases } from '../../src/imports/cases.ts'
import { seedOrg, testDb } from '../support/db.ts'
import { csvSource as source } from '../support/csv.ts'

// sql/00054: an import's cases have their search documents written once, with their first
// messages, not written empty by the cases' insert and rewritten by the messages'. Whatever the
// path, each case has one document, the same as the search functions compute from its rows.

const actor = { kind: 'system' as const, id: 'test' }

const quote = (v: string) => `"${v.replaceAll('"', '""')}"`

/** A tracker's export: 1,203 rows (three batches), some with no description, names from everywhere. */
function tracker() {
  const names = ['Zoë Ångström', 'Jürgen Weiß', 'Siobhán Ó Briain', '田中 花子', 'Nguyễn Thị Minh', 'Παπαδόπουλος Νίκος']
  const lines = ['Customer,Email,Subject,Description,Source,Priority,Ticket,Date']
  for (let i = 1; i <= 1203; i++) {
    const description = i % 7 === 0 ? '' : `Refund of invoice INV-${i} still missing after the Schadensmeldung ${i}`
    lines.push(
      [
        quote(names[i % names.length]!),
        `buyer${i}@example.org`,
        quote(`Complaint ${i}: charged twice`),
        quote(description),
        i % 3 === 0 ? 'bbb' : 'ceo_inbox',
        i % 4 === 0 ? 'SEV-2' : 'SEV-3',
        `TCK-${900000 + i}`,
        new Date(Date.UTC(2026, 9, 1) + i * 3_600_000).toISOString(),
      ].join(','),
    )
  }
  return lines.join('\r\n')
}

describe('an import writes each search document once, whole', () => {
  let db: Db
  beforeAll(() => {
    db = testDb(2)
  })
  afterAll(() => db.end())

  it('every imported case has its document, equal to one computed from its rows, and search finds it by name, number and thread', async () => {
    const org = await seedOrg(db)
    expect(await importCases(db, org, source(tracker()), { actor, drafts: false })).toMatchObject({ ok: true, created: 1203 })
    const [state] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ cases: number; documents: number; different: number }[]>`
      select count(*)::int as cases, count(s.case_id)::int as documents,
             count(*) filter (where s.head <> case_search_head(c) or s.body <> case_search_body(c.id))::int as different
      from cases c left join case_search s on s.case_id = c.id where c.org_id = ${org.id}`,
    )
    expect(state).toEqual({ cases: 1203, documents: 1203, different: 0 })

    await withOrg(db, org.id, async (tx) => {
      const [last] = await tx<{ number: number }[]>`select max(number)::int as number from cases`
      expect((await searchCases(tx, `ESC-${last!.number}`)).map((h) => h.number)).toContain(last!.number)
      expect((await searchCases(tx, 'Schadensmeldung 1202')).map((h) => h.subject)).toContain('Complaint 1202: charged twice')
      // A row with no description (its thread is its subject), found by its reference alone,
      // whole or by its number: the parser indexes "TCK-901197" as 'tck' and '-901197'.
      for (const q of ['TCK-901197', '901197', 'tck 9011']) {
        expect((await searchCases(tx, q)).map((h) => h.subject)).toContain('Complaint 1197: charged twice')
      }
      expect((await searchCases(tx, '田中')).length).toBeGreaterThan(0)
    })
  })

  it('outside an import nothing changes: a case inserted alone has its document before any message, which its message then fills', async () => {
    const org = await seedOrg(db)
    await withOrg(db, org.id, async (tx) => {
      const [c] = await tx<{ id: string }[]>`
        insert into cases (org_id, number, source, customer_email, subject, severity, status, reply_token, opened_at,
                           first_response_due_at, resolution_due_at)
        values (${org.id}, 1, 'ceo_inbox', 'ines@example.pt', 'Reclamação sem resposta', 'SEV-2', 'new', ${'token-' + org.id},
                now(), now() + interval '1 hour', now() + interval '1 day')
        returning id`
      const [before] = await tx<{ body: string }[]>`select body::text from case_search where case_id = ${c!.id}`
      expect(before).toEqual({ body: '' })
      await tx`insert into messages (org_id, case_id, direction, from_email, subject, text_body)
               values (${org.id}, ${c!.id}, 'inbound', 'ines@example.pt', 'Reclamação', 'Ninguém respondeu ao meu pedido')`
      const [after] = await tx<
        { same: boolean }[]
      >`select body = case_search_body(case_id) and body <> ''::tsvector as same from case_search where case_id = ${c!.id}`
      expect(after).toEqual({ same: true })
    })
  })

  it('a dry run leaves no document behind, and the setting ends with the import’s transaction', async () => {
    const org = await seedOrg(db)
    expect(await importCases(db, org, source(tracker()), { actor, drafts: false, dryRun: true })).toMatchObject({ ok: true, created: 1203 })
    const [left] = await withOrg(
      db,
      org.id,
      (tx) => tx<{ n: number; setting: string | null }[]>`
      select (select count(*)::int from case_search where org_id = ${org.id}) as n, current_setting('desk.search_from_messages', true) as setting`,
    )
    expect(left!.n).toBe(0)
    expect(left!.setting ?? '').toBe('')
  })
})
