import { createRoute, type OpenAPIHono } from '@hono/zod-openapi'
import { withOrg } from '../db.ts'
import { listCases, readCaseFilter, searchCases } from '../cases/find.ts'
import { notFound } from '../http/errors.ts'
import type { ApiEnv } from './auth.ts'
import { caseListItem, loadApiCase, readableCaseId, searchItem } from './case-json.ts'
import { errorResponses } from './responses.ts'
import { CaseListQuery, CaseListSchema, CaseRefParams, CaseSchema, SearchQuery, SearchResultSchema } from './schemas.ts'

// Reading: the /cases list (same filters, same keyset pages), the search, one case. Any token.

const listRoute = createRoute({
  method: 'get',
  path: '/cases',
  operationId: 'listCases',
  summary: 'List cases, newest first, with the filters of the /cases page',
  request: { query: CaseListQuery },
  responses: { 200: { description: 'A page of cases', content: { 'application/json': { schema: CaseListSchema } } }, ...errorResponses },
})

const searchRoute = createRoute({
  method: 'get',
  path: '/cases/search',
  operationId: 'searchCases',
  summary: 'Find cases by number, subject, customer, reference or thread words',
  request: { query: SearchQuery },
  responses: {
    200: { description: 'At most 20 cases', content: { 'application/json': { schema: SearchResultSchema } } },
    ...errorResponses,
  },
})

const getRoute = createRoute({
  method: 'get',
  path: '/cases/{ref}',
  operationId: 'getCase',
  summary: 'A case with its thread and audit events',
  request: { params: CaseRefParams },
  responses: {
    200: {
      description: 'The case (a merged case answers as the case it was merged into)',
      content: { 'application/json': { schema: CaseSchema } },
    },
    ...errorResponses,
  },
})

export function addReadRoutes(api: OpenAPIHono<ApiEnv>) {
  api.openapi(listRoute, async (c) => {
    const { after, limit, ...filters } = c.req.valid('query')
    const page = await withOrg(c.get('deps').db, c.get('caller').orgId, (tx) =>
      listCases(tx, readCaseFilter(filters), after ?? null, limit),
    )
    return c.json({ cases: page.rows.map(caseListItem), next: page.next }, 200)
  })

  // Registered before /cases/{ref}, which would otherwise take "search" for a case.
  api.openapi(searchRoute, async (c) => {
    const { q } = c.req.valid('query')
    const hits = await withOrg(c.get('deps').db, c.get('caller').orgId, (tx) => searchCases(tx, q))
    return c.json({ cases: hits.map(searchItem) }, 200)
  })

  api.openapi(getRoute, async (c) => {
    const { ref } = c.req.valid('param')
    const kase = await withOrg(c.get('deps').db, c.get('caller').orgId, async (tx) => {
      const id = await readableCaseId(tx, ref)
      return id ? loadApiCase(tx, id) : null
    })
    if (!kase) throw notFound('That case')
    return c.json(kase, 200)
  })
}
