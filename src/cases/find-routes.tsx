import { Hono } from 'hono'
import { stream } from 'hono/streaming'
import type { AppEnv } from '../http/app-env.ts'
import { withOrg } from '../db.ts'
import { requireUser } from '../http/session.ts'
import { render } from '../http/htmx.ts'
import { exportCases } from '../imports/export.ts'
import { CasesPage, SearchPage } from '../../views/pages/cases.tsx'
import { listTeam } from './detail.ts'
import { caseIdByNumber, caseNumberIn, listCases, readCaseFilter, searchCases, type CaseListFilter } from './find.ts'

// Every case findable (README, "Triage and cases"): /cases lists all of them, /cases/export.csv
// downloads the same list, /search finds a case by its words; "ESC-1042" opens that case.
export const findRoutes = new Hono<AppEnv>()

/** The filter as a query string ("?status=open&severity=SEV-1"), empty when nothing is set. */
function filterQuery(f: CaseListFilter): string {
  const q = new URLSearchParams()
  if (f.status !== 'all') q.set('status', f.status)
  if (f.source) q.set('source', f.source)
  if (f.severity) q.set('severity', f.severity)
  if (f.ownerId) q.set('owner', f.ownerId)
  if (f.from) q.set('from', f.from.toISOString().slice(0, 10))
  if (f.to) q.set('to', f.to.toISOString().slice(0, 10))
  if (f.breached) q.set('breached', '1')
  const s = q.toString()
  return s ? `?${s}` : ''
}

findRoutes.get('/cases', async (c) => {
  const user = requireUser(c)
  const filter = readCaseFilter(c.req.query())
  const after = c.req.query('after') ?? null
  const { page, team } = await withOrg(c.get('deps').db, user.orgId, async (tx) => ({
    page: await listCases(tx, filter, after),
    team: await listTeam(tx),
  }))
  return render(c, <CasesPage filter={filter} rows={page.rows} next={page.next} query={filterQuery(filter)} team={team} paged={!!after} />)
})

findRoutes.get('/cases/export.csv', (c) => {
  const user = requireUser(c)
  const filter = readCaseFilter(c.req.query())
  const { db } = c.get('deps')
  c.header('Content-Type', 'text/csv; charset=utf-8')
  c.header('Content-Disposition', `attachment; filename="cases-${new Date().toISOString().slice(0, 10)}.csv"`)
  // Streamed from PostgreSQL's copy inside the org's transaction: each chunk is written before the
  // next is read, so a slow client holds the copy back and memory stays flat (bench/export.ts).
  // A client that goes away stops the writing at the next chunk.
  return stream(c, async (out) => {
    await withOrg(db, user.orgId, async (tx) => {
      for await (const chunk of exportCases(tx, filter)) {
        if (out.aborted) break
        await out.write(chunk)
      }
    })
  })
})

findRoutes.get('/search', async (c) => {
  const user = requireUser(c)
  const query = (c.req.query('q') ?? '').slice(0, 200)
  const number = caseNumberIn(query)
  const { db } = c.get('deps')
  if (number !== null) {
    const id = await withOrg(db, user.orgId, (tx) => caseIdByNumber(tx, number))
    if (id) return c.redirect(`/cases/${id}`, 303)
  }
  const hits = query.trim() ? await withOrg(db, user.orgId, (tx) => searchCases(tx, query)) : []
  return render(c, <SearchPage query={query} hits={hits} />)
})
