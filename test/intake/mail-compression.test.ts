// Mail's large columns use LZ4 where the server has it (sql/00048), and stay on pglz where it
// does not (the embedded PostgreSQL): either way a stored message reads back byte for byte.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withOrg, type Db } from '../../src/db.ts'
import { ingestMessage } from '../../src/intake/intake.ts'
import { buildEml, seedOrg, testDb } from '../support/db.ts'

describe('mail compression', () => {
  let db: Db
  beforeAll(() => {
    db = testDb(2)
  })
  afterAll(() => db.end())

  it('compresses a long message with LZ4 when the server offers it, and keeps every byte', async () => {
    const org = await seedOrg(db)
    // Long enough to be compressed (over 2 KB), varied enough to compress well but not to nothing.
    const body = Array.from({ length: 400 }, (_, i) => `Zeile ${i}: Die Lieferung Nr. ${i * 7919} ist nicht angekommen, Grüße.`).join('\n')
    const raw = buildEml({ subject: 'Beschwerde über Lieferung', body })
    const outcome = await ingestMessage(db, { orgId: org.id, raw, provider: 'test' })
    expect(outcome.status).toBe('created')
    const [{ lz4 }] = await db<{ lz4: boolean }[]>`
      select 'lz4' = any(enumvals) as lz4 from pg_settings where name = 'default_toast_compression'`
    const stored = await withOrg(db, org.id, async (tx) => {
      const [row] = await tx<{ raw: Buffer; rawMethod: string | null; textMethod: string | null; text: string }[]>`
        select r.raw, pg_column_compression(r.raw) as "rawMethod", pg_column_compression(m.text_body) as "textMethod", m.text_body as text
        from inbound_raw r join messages m on m.case_id = r.case_id where r.id = ${outcome.rawId!}`
      return row!
    })
    expect(Buffer.compare(stored.raw, Buffer.from(raw))).toBe(0)
    expect(stored.text).toContain('Zeile 399')
    expect(stored.rawMethod).toBe(lz4 ? 'lz4' : 'pglz')
    expect(stored.textMethod).toBe(lz4 ? 'lz4' : 'pglz')
  })
})
