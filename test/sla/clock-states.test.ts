import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { recomputeClocks } from '../../src/sla/clocks.ts'
import { countOpenByClock, listQueue, type ClockState } from '../../src/queue/queries.ts'
import type { Severity } from '../../src/cases/terms.ts'
import { clockState, defaultSlaPolicy, nextUpdateDue } from '../../src/sla/sla.ts'
import { withOrg, type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, testDb } from '../support/db.ts'

// A small seeded PRNG keeps failures reproducible.
function prng(seed: number) {
  return () => (seed = (seed * 1664525 + 1013904223) % 2 ** 32) / 2 ** 32
}

type Fixture = {
  id: string
  severity: Severity
  status: string
  openedAt: Date
  firstResponseAt: Date | null
  lastOutboundAt: Date | null
  paused: boolean
}

const rank: Record<ClockState, number> = { none: 0, ok: 1, at_risk: 2, breached: 3 }

/** The straightforward reading: each running clock judged by clockState, the worst one wins. */
function expectedState(f: Fixture, now: Date): ClockState {
  const target = defaultSlaPolicy[f.severity]
  const states: ClockState[] = []
  const finished = f.status === 'resolved' || f.status === 'closed'
  if (!f.firstResponseAt && !finished) {
    states.push(
      clockState(now, new Date(f.openedAt.getTime() + target.firstResponseMinutes * 60_000), target.firstResponseMinutes) as ClockState,
    )
  }
  if (!finished && !f.paused) {
    states.push(clockState(now, new Date(f.openedAt.getTime() + target.resolutionMinutes * 60_000), target.resolutionMinutes) as ClockState)
  }
  if (f.lastOutboundAt && !finished && f.status !== 'waiting_customer' && target.updateMinutes !== null) {
    states.push(clockState(now, nextUpdateDue(f.lastOutboundAt, f.severity, defaultSlaPolicy, null)!, target.updateMinutes) as ClockState)
  }
  return states.reduce<ClockState>((worst, s) => (rank[s] > rank[worst] ? s : worst), 'none')
}

describe('at risk and breached, computed in SQL', () => {
  let db: Db
  let org: Org
  const fixtures: Fixture[] = []

  beforeAll(async () => {
    db = testDb(6)
    org = await seedOrg(db)
    const random = prng(42)
    const severities: Severity[] = ['SEV-1', 'SEV-2', 'SEV-3', 'SEV-4']
    const statuses = ['new', 'triaged', 'responded', 'waiting_customer', 'in_progress']
    const now = Date.now()
    for (let i = 0; i < 120; i++) {
      const severity = severities[Math.floor(random() * 4)]!
      const status = statuses[Math.floor(random() * statuses.length)]!
      // Opened from 10 days ago to just now, so every state is represented.
      const openedAt = new Date(now - Math.floor(random() * 10 * 24 * 60) * 60_000 - 1000)
      const replied = status === 'responded' || status === 'waiting_customer' || (status === 'in_progress' && random() < 0.5)
      const firstResponseAt = replied ? new Date(openedAt.getTime() + Math.floor(random() * (now - openedAt.getTime()))) : null
      const lastOutboundAt = firstResponseAt
      const c = await seedCase(db, org.id)
      await withOrg(db, org.id, async (tx) => {
        await tx`
          update cases set severity = ${severity}, status = ${status}, opened_at = ${openedAt},
            first_response_at = ${firstResponseAt}, last_outbound_at = ${lastOutboundAt},
            resolution_paused_at = ${status === 'waiting_customer' ? new Date(now) : null}
          where id = ${c.id}`
        await recomputeClocks(tx, org.id, c.id)
      })
      fixtures.push({ id: c.id, severity, status, openedAt, firstResponseAt, lastOutboundAt, paused: status === 'waiting_customer' })
    }
  })
  afterAll(() => db.end())

  it('agrees with an in-memory computation for every case', async () => {
    const rows = await withOrg(db, org.id, (tx) => listQueue(tx, 1000))
    const now = new Date()
    const byId = new Map(rows.map((r) => [r.id, r.clock]))
    const mismatches = fixtures
      .map((f) => ({ id: f.id, severity: f.severity, status: f.status, sql: byId.get(f.id), memory: expectedState(f, now) }))
      .filter((m) => m.sql !== m.memory)
    expect(mismatches).toEqual([])
    const states = new Set(fixtures.map((f) => byId.get(f.id)))
    expect(states).toEqual(new Set(['ok', 'at_risk', 'breached', 'none']))
  })

  it('orders the queue breached first, then by least time left', async () => {
    const rows = await withOrg(db, org.id, (tx) => listQueue(tx, 1000))
    const deadlines = rows.map((r) => r.nextDeadlineAt?.getTime() ?? Infinity)
    expect(deadlines).toEqual([...deadlines].sort((a, b) => a - b))
    const firstNotBreached = rows.findIndex((r) => r.clock !== 'breached')
    expect(rows.slice(firstNotBreached).some((r) => r.clock === 'breached')).toBe(false)
    const counts = await withOrg(db, org.id, (tx) => countOpenByClock(tx))
    expect(counts.breached).toBe(rows.filter((r) => r.clock === 'breached').length)
  })
})
