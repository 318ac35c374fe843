import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db.ts'
import { createTestApp } from '../support/app.ts'
import { testDb } from '../support/db.ts'

type Operation = {
  operationId?: string
  parameters?: { name: string; in: string; required?: boolean }[]
  responses?: Record<string, unknown>
  summary?: string
  requestBody?: unknown
}
type Document = {
  openapi: string
  info: { title: string; version: string }
  paths: Record<string, Record<string, Operation>>
  security: Record<string, string[]>[]
  components: { securitySchemes: Record<string, { type: string; scheme: string }>; schemas: Record<string, unknown> }
}

describe('the OpenAPI document (/api/v1/openapi.json)', () => {
  let db: Db
  let doc: Document
  beforeAll(async () => {
    db = testDb(1)
    // No token: the document describes the API and holds no organization's data.
    const res = await createTestApp(db).request('/api/v1/openapi.json')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/json')
    doc = await res.json()
  })
  afterAll(() => db.end())

  it('is an OpenAPI 3 document with a bearer security scheme required everywhere', () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/)
    expect(doc.info).toMatchObject({ title: 'Escalation Desk API', version: '1' })
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(doc.security).toEqual([{ bearer: [] }])
  })

  it('lists every route, each operation with responses, refusals included', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    )
    expect(operations.sort()).toEqual(
      [
        'GET /cases',
        'GET /cases/search',
        'GET /cases/{ref}',
        'POST /cases',
        'POST /cases/{ref}/notes',
        'POST /cases/{ref}/owner',
        'POST /cases/{ref}/severity',
        'POST /cases/{ref}/status',
      ].sort(),
    )
    const ids = Object.values(doc.paths).flatMap((ops) => Object.values(ops).map((op) => op.operationId))
    expect(new Set(ids).size).toBe(operations.length)
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const op of Object.values(ops)) {
        // Every {param} of the path is declared, in the path and required.
        for (const name of path.match(/(?<=\{)\w+(?=\})/g) ?? []) {
          expect(op.parameters, `${path} ${name}`).toContainEqual(expect.objectContaining({ name, in: 'path', required: true }))
        }
        expect(Object.keys(op.responses ?? {})).toEqual(expect.arrayContaining(['200' in op.responses! ? '200' : '201', '401', '429']))
        expect(op.summary).toBeTruthy()
      }
    }
    // The schemas that validate the requests are the ones described.
    expect(doc.components.schemas).toHaveProperty('Case')
    expect(doc.components.schemas).toHaveProperty('Error')
    const create = doc.paths['/cases']!.post!.requestBody as { content: { 'application/json': { schema: { required: string[] } } } }
    expect(create.content['application/json'].schema.required).toEqual(expect.arrayContaining(['subject', 'summary', 'severity']))
  })

  it('offers nothing that approves, edits drafts or sends', () => {
    const text = JSON.stringify(doc.paths)
    for (const word of ['approv', 'draft', 'send', 'outbox', 'reply']) {
      expect(
        Object.keys(doc.paths).some((p) => p.includes(word)),
        word,
      ).toBe(false)
    }
    expect(text).not.toMatch(/"operationId":"[^"]*(approve|send)/i)
    // The statuses a token may set leave out those of the approval gate and of sending.
    const status = doc.paths['/cases/{ref}/status']!.post!.requestBody as {
      content: { 'application/json': { schema: { $ref?: string } } }
    }
    const ref = status.content['application/json'].schema.$ref!.split('/').at(-1)!
    const change = doc.components.schemas[ref] as { properties: { status: { enum: string[] } } }
    expect(change.properties.status.enum).not.toContain('awaiting_approval')
    expect(change.properties.status.enum).not.toContain('responded')
  })
})
