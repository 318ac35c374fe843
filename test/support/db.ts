import { randomBytes } from 'node:crypto'
import { inject } from 'vitest'
import { connect, type Db } from '../../src/db.ts'
import { insertOrg, insertUser, type Org, type UserRole } from '../../src/orgs/queries.ts'

export const testDatabaseUrl = () => inject('databaseUrl')

/**
 * A pool on the run's migrated database, connected as the owner (like the app). With
 * TEST_POOLER=1 it goes through PgBouncer in transaction mode, as an app behind Supabase's pooler.
 */
export function testDb(max = 4): Db {
  const pooled = process.env.TEST_POOLER_URL
  return pooled ? connect(pooled, { max, pooled: true }) : connect(testDatabaseUrl(), { max })
}

/** A fresh org with a random slug, so test files never see each other's rows. */
export async function seedOrg(db: Db, overrides: Partial<Parameters<typeof insertOrg>[1]> = {}): Promise<Org> {
  const slug = `t-${randomBytes(5).toString('hex')}`
  return insertOrg(db, { slug, name: `Test ${slug}`, inboundAddresses: [`escalations@${slug}.test`], ...overrides })
}

export async function seedUser(db: Db, orgId: string, role: UserRole = 'agent') {
  const email = `${role}-${randomBytes(4).toString('hex')}@example.test`
  const { id } = await insertUser(db, orgId, { email, name: `${role} user`, role })
  return { id, email }
}

/** A small RFC 5322 message; every call gets a unique Message-ID unless one is given. */
export function buildEml(
  fields: { from?: string; to?: string; subject?: string; messageId?: string | null; body?: string; headers?: string[] } = {},
): Uint8Array {
  const lines = [
    `From: ${fields.from ?? 'Pat Customer <pat@customer.test>'}`,
    `To: ${fields.to ?? 'escalations@example.com'}`,
    `Subject: ${fields.subject ?? 'Complaint about my order'}`,
    'Date: Sun, 22 Nov 2026 09:00:00 +0000',
    ...(fields.messageId === null ? [] : [`Message-ID: <${fields.messageId ?? `${randomBytes(8).toString('hex')}@customer.test`}>`]),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    ...(fields.headers ?? []),
    '',
    fields.body ?? 'My order never arrived and nobody answers.',
    '',
  ]
  return new TextEncoder().encode(lines.join('\r\n'))
}
