import { PGlite } from '@electric-sql/pglite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from '../src/db.ts'
import { servePGlite } from '../src/embedded-socket.ts'

/** Two clients (say the server and a `desk` command) working at once on one embedded database. */
async function hammer(url: string) {
  const clients = [connect(url, { max: 2 }), connect(url, { max: 2 })]
  const errors: string[] = []
  try {
    await clients[0]!`create table if not exists counters (id int primary key, n int not null)`
    await clients[0]!`insert into counters values (1, 0) on conflict do nothing`
    await Promise.all(clients.flatMap((sql, c) => Array.from({ length: 40 }, async (_, i) => {
      try {
        if (i % 2) {
          await sql.begin(async (tx) => {
            const [row] = await tx`select n from counters where id = 1 for update`
            await tx`update counters set n = ${(row!.n as number) + 1} where id = 1`
          })
        } else {
          const [row] = await sql`select ${c * 1000 + i}::int as v, repeat('x', ${i}) as pad`
          if (row!.v !== c * 1000 + i) errors.push(`client ${c} got ${row!.v} for ${i}`)
        }
      } catch (error) {
        errors.push((error as Error).message)
      }
    })))
    const [{ n }] = (await clients[0]!`select n from counters where id = 1`) as unknown as [{ n: number }]
    return { errors, increments: n }
  } finally {
    await Promise.all(clients.map((sql) => sql.end()))
  }
}

describe('the embedded database socket', () => {
  let db: PGlite
  beforeAll(async () => { db = await PGlite.create() })
  afterAll(() => db.close())

  it('keeps concurrent clients\' statements and transactions apart', async () => {
    const served = await servePGlite(db, { host: '127.0.0.1', port: 0 })
    try {
      const result = await hammer(`postgres://postgres:postgres@127.0.0.1:${served.port}/postgres`)
      expect(result.errors).toEqual([])
      expect(result.increments).toBe(40) // 2 clients × 20 transactions, none lost
    } finally {
      await served.stop()
    }
  })
})
