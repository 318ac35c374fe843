import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { createTestApp } from '../support/app.ts'
import { sessionCookie } from '../support/auth.ts'
import { seedCase } from '../support/cases.ts'
import { seedOrg, seedUser, testDb } from '../support/db.ts'

type Shape = {
  minutesLeft: number | null
  riskMinutesLeft?: number
  owner?: 'me' | 'other'
  status?: string
  source?: string
  severity?: string
}

describe('triage queue: filters and priority order', () => {
  let db: Db
  let org: Org
  let me: { id: string; cookie: string }
  const ids: Record<string, string> = {}

  // Clocks are set directly (as the owner) so each case sits at a known place in the order.
  const shapes: Record<string, Shape> = {
    longBreached: { minutesLeft: -120, owner: 'me', status: 'triaged', source: 'bbb', severity: 'SEV-1' },
    justBreached: { minutesLeft: -10, owner: 'me', status: 'triaged', source: 'direct', severity: 'SEV-2' },
    atRisk: { minutesLeft: 20, riskMinutesLeft: -5, status: 'awaiting_approval', source: 'lawyer', severity: 'SEV-2' },
    fine: { minutesLeft: 300, owner: 'other', status: 'triaged', source: 'direct', severity: 'SEV-3' },
    later: { minutesLeft: 2000, source: 'regulator', severity: 'SEV-4' },
    noClock: { minutesLeft: null, source: 'direct', severity: 'SEV-4' },
    resolved: { minutesLeft: -500, owner: 'me', status: 'resolved', source: 'bbb', severity: 'SEV-1' },
  }

  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db)
    const user = { ...(await seedUser(db, org.id, 'agent')), orgId: org.id }
    me = { id: user.id, cookie: await sessionCookie(db, user) }
    const other = await seedUser(db, org.id, 'agent')
    for (const [name, s] of Object.entries(shapes)) {
      const { id } = await seedCase(db, org.id, { subject: `Case ${name}` })
      ids[name] = id
      const minutes = (m: number | null | undefined) => (m === null || m === undefined ? null : new Date(Date.now() + m * 60_000))
      const owner = s.owner === 'me' ? me.id : s.owner === 'other' ? other.id : null
      await db`
        update cases set next_deadline_at = ${minutes(s.minutesLeft)}, next_at_risk_at = ${minutes(s.riskMinutesLeft ?? (s.minutesLeft === null ? null : s.minutesLeft - 60))},
          owner_id = ${owner}, status = ${s.status ?? 'new'}, source = ${s.source ?? 'direct'}, severity = ${s.severity ?? 'SEV-3'}
        where id = ${id}`
    }
  })
  afterAll(() => db.end())

  const app = () => createTestApp(db)
  /** The case names in the order the queue lists them. */
  async function listed(path: string, headers: Record<string, string> = {}) {
    const res = await app().request(path, { headers: { accept: 'text/html', cookie: me.cookie, ...headers } })
    expect(res.status).toBe(200)
    const body = await res.text()
    const byId = new Map(Object.entries(ids).map(([name, id]) => [id, name]))
    const order = [...body.matchAll(/<tr id="case-([0-9a-f-]{36})"/g)].map((m) => byId.get(m[1]!) ?? 'unknown')
    return { body, order }
  }

  it('lists open cases breached first (most overdue first), then by least time left; no clock last', async () => {
    const { order, body } = await listed('/')
    expect(order).toEqual(['longBreached', 'justBreached', 'atRisk', 'fine', 'later', 'noClock'])
    expect(body).toMatch(new RegExp(`<tr id="case-${ids.longBreached}" class="breached">`))
    expect(body).toMatch(new RegExp(`<tr id="case-${ids.atRisk}" class="at_risk">`))
    expect(body).toMatch(new RegExp(`<tr id="case-${ids.fine}" class="ok">`))
    expect(body).toContain('<span class="countdown breached">2 breached</span>')
    expect(body).toContain('<span class="countdown at_risk">1 at risk</span>')
  })

  it.each([
    ['?view=mine', ['longBreached', 'justBreached']],
    ['?view=unowned', ['atRisk', 'later', 'noClock']],
    ['?view=awaiting_approval', ['atRisk']],
    ['?view=at_risk', ['longBreached', 'justBreached', 'atRisk']],
    ['?source=bbb', ['longBreached']],
    ['?source=direct', ['justBreached', 'fine', 'noClock']],
    ['?severity=SEV-2', ['justBreached', 'atRisk']],
    ['?view=mine&severity=SEV-1', ['longBreached']],
    ['?view=nonsense&source=pigeon', ['longBreached', 'justBreached', 'atRisk', 'fine', 'later', 'noClock']],
  ])('filter %s returns the right rows', async (query, expected) => {
    expect((await listed(`/${query}`)).order).toEqual(expected)
    expect((await listed(`/queue/rows${query}`, { 'hx-request': 'true' })).order).toEqual(expected)
  })

  it('/queue/rows answers only the fragment, which keeps polling with the same filters', async () => {
    const { body } = await listed('/queue/rows?view=mine&source=bbb', { 'hx-request': 'true' })
    expect(body).toMatch(/^<div id="queue-body" hx-get="\/queue\/rows\?view=mine&amp;source=bbb" hx-trigger="every 15s"/)
    expect(body).not.toContain('<html')
    expect(body).not.toContain('<form class="filters"')
  })

  it('keeps the chosen filters selected on the page', async () => {
    const { body } = await listed('/?view=at_risk&severity=SEV-2')
    expect(body).toMatch(/<option value="at_risk" selected="">/)
    expect(body).toMatch(/<option value="SEV-2" selected="">/)
  })
})
