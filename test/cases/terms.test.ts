import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { caseTypes, severities, sources, statuses } from '../../src/cases/terms.ts'
import type { Db } from '../../src/db.ts'
import { testDb } from '../support/db.ts'

// The case's closed sets are written twice on purpose: once in src/cases/terms.ts, which every
// form, filter and CSV alias derives from, and once as the database's check constraints, which
// hold whatever the app does. This keeps the two the same.

describe('the case vocabulary', () => {
  let db: Db
  beforeAll(() => {
    db = testDb()
  })
  afterAll(() => db.end())

  /** The values a check constraint on cases allows, in order. */
  async function allowed(column: string): Promise<string[]> {
    const [row] = await db<{ def: string }[]>`
      select pg_get_constraintdef(oid) as def from pg_constraint
      where conrelid = 'cases'::regclass and contype = 'c' and conname = ${`cases_${column}_check`}`
    return [...row!.def.matchAll(/'([^']*)'::text/g)].map((m) => m[1]!)
  }

  it('lists the same severities, sources, statuses and case types as the database allows', async () => {
    expect(await allowed('severity')).toEqual([...severities])
    expect(await allowed('source')).toEqual([...sources])
    expect(await allowed('status')).toEqual([...statuses])
    expect(await allowed('case_type')).toEqual([...caseTypes])
  })
})
