import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, pooledByUrl } from '../../src/db.ts'
import { parseEnv } from '../../src/env.ts'
import { dropDatabase, serverUrl, testDatabaseName, withDatabase } from '../support/databases.ts'
import { buildEml, seedOrg } from '../support/db.ts'
import { signRaw } from '../support/inbound.ts'
import { startPooler, type Pooler } from '../support/pooler.ts'
import { freePort, runDesk, startServer } from '../support/process.ts'

// DATABASE_URL is what the app uses and may go through a pooler; DATABASE_MIGRATION_URL, when
// set, is the direct connection migrations take.

describe('DATABASE_URL, DATABASE_MIGRATION_URL and DATABASE_POOLED', () => {
  it('DATABASE_POOLED is a flag; unset, the URL tells: Supabase 6543, Neon -pooler., ?pgbouncer=true', () => {
    const env = (source: Record<string, string>) => parseEnv(source)
    expect(env({ DATABASE_POOLED: '1' })).toMatchObject({ ok: true, env: { DATABASE_POOLED: true } })
    expect(env({ DATABASE_POOLED: '0' })).toMatchObject({ ok: true, env: { DATABASE_POOLED: false } })
    expect((env({}) as { env: { DATABASE_POOLED?: boolean } }).env.DATABASE_POOLED).toBeUndefined()
    expect(env({ DATABASE_POOLED: 'sometimes' })).toMatchObject({
      ok: false,
      problems: ['DATABASE_POOLED: expected 1 or 0, got "sometimes"'],
    })
    expect(env({ DATABASE_MIGRATION_URL: 'mysql://x' })).toMatchObject({
      ok: false,
      problems: [expect.stringMatching(/^DATABASE_MIGRATION_URL: expected a postgres:\/\//)],
    })

    expect(pooledByUrl('postgres://postgres.abcd:pw@aws-0-eu-central-1.pooler.supabase.com:6543/postgres')).toBe(true)
    expect(pooledByUrl('postgres://postgres.abcd:pw@aws-0-eu-central-1.pooler.supabase.com:5432/postgres')).toBe(false) // session mode
    expect(pooledByUrl('postgres://postgres:pw@db.abcd.supabase.co:5432/postgres')).toBe(false) // direct
    expect(pooledByUrl('postgres://u:pw@ep-cool-name-123456-pooler.eu-central-1.aws.neon.tech/neondb')).toBe(true)
    expect(pooledByUrl('postgres://u:pw@db.example.com:5432/desk?pgbouncer=true')).toBe(true)
    expect(pooledByUrl('postgres://u@host-a:5432,host-b:5432/desk')).toBe(false) // postgres.js's multi-host form
  })

  describe('each with a fresh database of its own', () => {
    const names: string[] = []
    let pooler: Pooler
    const freshDatabase = async () => {
      const name = testDatabaseName('migration_url')
      names.push(name)
      return { name, direct: await withDatabase(name) }
    }

    beforeAll(async () => {
      pooler = await startPooler(serverUrl('postgres'))
    })
    afterAll(async () => {
      await pooler.stop()
      for (const name of names) await dropDatabase(name)
    })

    it('`desk migrate` migrates over DATABASE_MIGRATION_URL, never touching DATABASE_URL', async () => {
      const { direct } = await freshDatabase()
      // Nothing listens at DATABASE_URL: the command can only succeed over the migration URL.
      const nowhere = `postgres://postgres:pw@127.0.0.1:${await freePort()}/desk`
      const result = await runDesk(['migrate'], { DATABASE_URL: nowhere, DATABASE_MIGRATION_URL: direct })
      expect(result.stderr).toBe('')
      expect(result).toMatchObject({ code: 0, stdout: expect.stringMatching(/^applied 00001_foundation\.sql, /) })
      const db = connect(direct, { max: 1 })
      try {
        const [row] = await db`select count(*)::int as n from schema_migrations`
        expect(row!.n).toBeGreaterThan(10)
      } finally {
        await db.end()
      }
    })

    it('`npm start` migrates over the direct URL, then serves through PgBouncer (transaction mode)', async () => {
      const { name, direct } = await freshDatabase()
      const secret = 'pooled-start-secret-0123456789'
      const db = connect(direct, { max: 1 })
      const server = await startServer({
        DATABASE_URL: pooler.url(name),
        DATABASE_POOLED: '1',
        DATABASE_MIGRATION_URL: direct,
        INBOUND_SECRET: secret,
        PORT: String(await freePort()),
        SCHEDULER_INTERVAL_SECONDS: '0',
      })
      try {
        expect(server.output()).toMatch(/Applied migrations: 00001_foundation\.sql, /)
        expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok', database: 'ok' })
        const org = await seedOrg(db)
        const outcomes = await Promise.all(
          Array.from({ length: 6 }, async () => {
            const raw = buildEml({ to: org.inboundAddresses[0] })
            const res = await fetch(`${server.url}/inbound/raw`, { method: 'POST', body: raw as BodyInit, headers: signRaw(secret, raw) })
            return { status: res.status, body: (await res.json()) as { status: string } }
          }),
        )
        expect(outcomes.map((o) => `${o.status} ${o.body.status}`)).toEqual(Array(6).fill('200 created'))
      } finally {
        await server.stop()
        await db.end()
      }
    })
  })
})
