import { createRoute, type OpenAPIHono, type z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { withOrg, type Tx } from '../db.ts'
import { createCaseFromForm, newCaseSchema } from '../cases/create.ts'
import { listTeam } from '../cases/detail.ts'
import { changeStatus } from '../cases/lifecycle.ts'
import { refuseMergedCase } from '../cases/merge.ts'
import { addNote } from '../cases/notes.ts'
import { assignOwner } from '../cases/ownership.ts'
import { changeSeverity } from '../cases/severity.ts'
import { caseLabel } from '../cases/terms.ts'
import { userActor } from '../audit/audit.ts'
import { AppError, notFound } from '../http/errors.ts'
import { requireWrite, type ApiEnv } from './auth.ts'
import { caseIdForRef, loadApiCase } from './case-json.ts'
import { changeResponses } from './responses.ts'
import { CaseRefParams, CaseSchema, NoteBody, OwnerBody, SeverityBody, StatusBody } from './schemas.ts'
import type { ApiCaller } from './tokens.ts'

// Changing cases, with a write token, through the very functions the case page calls (the rules,
// the audit, the clocks are theirs). The caller is the token's creator acting through it: each
// audit event names them, with `via: "api"` and the token's prefix. Nothing here drafts,
// approves or sends: those stay with people in the portal.

const json = <S extends z.ZodType>(schema: S) => ({ content: { 'application/json': { schema } }, required: true })
const theCase = (description: string) => ({ description, content: { 'application/json': { schema: CaseSchema } } })

const changeRoute = <B extends z.ZodType>(operationId: string, path: string, summary: string, body: B) =>
  createRoute({
    method: 'post',
    path,
    operationId,
    summary,
    middleware: [requireWrite] as const,
    request: { params: CaseRefParams, body: json(body) },
    responses: { 200: theCase('The case as it is now'), ...changeResponses },
  })

const createCaseRoute = createRoute({
  method: 'post',
  path: '/cases',
  operationId: 'createCase',
  summary: 'Open a case, as the portal’s new-case form does (a reply draft is queued for approval)',
  middleware: [requireWrite] as const,
  request: { body: json(newCaseSchema) },
  responses: { 201: theCase('The new case'), ...changeResponses },
})

const noteRoute = changeRoute('addNote', '/cases/{ref}/notes', 'Add an internal note (never sent)', NoteBody)
const ownerRoute = changeRoute('setOwner', '/cases/{ref}/owner', 'Assign or reassign the accountable owner', OwnerBody)
const severityRoute = changeRoute('setSeverity', '/cases/{ref}/severity', 'Change the severity (the clocks are recomputed)', SeverityBody)
const statusRoute = changeRoute('setStatus', '/cases/{ref}/status', 'Move the case to another status', StatusBody)

/** Runs one change on the named case in the caller's org, then answers with the case. */
async function changeCase(c: Context<ApiEnv>, ref: string, run: (tx: Tx, caseId: string, caller: ApiCaller) => Promise<unknown>) {
  const caller = c.get('caller')
  const kase = await withOrg(c.get('deps').db, caller.orgId, async (tx) => {
    const id = await caseIdForRef(tx, ref)
    if (!id) throw notFound('That case')
    await refuseMergedCase(tx, id)
    await run(tx, id, caller)
    return loadApiCase(tx, id)
  })
  if (!kase) throw notFound('That case')
  return kase
}

/** The owner a request names, by id or by address, among the org's active members. */
async function ownerIdOf(tx: Tx, body: z.infer<typeof OwnerBody>): Promise<string> {
  if (body.ownerId) return body.ownerId
  const member = (await listTeam(tx)).find((m) => m.email === body.email!.toLowerCase())
  if (!member) throw new AppError('BAD_INPUT', 'Choose an active member of your team as the owner.')
  return member.id
}

export function addWriteRoutes(api: OpenAPIHono<ApiEnv>) {
  api.openapi(createCaseRoute, async (c) => {
    const caller = c.get('caller')
    const kase = await withOrg(c.get('deps').db, caller.orgId, async (tx) => {
      const made = await createCaseFromForm(tx, caller.orgId, c.req.valid('json'), userActor(caller))
      if (!made.created) throw new AppError('CONFLICT', `${caseLabel(made.number)} already has this reference; add to that case instead.`)
      return loadApiCase(tx, made.id)
    })
    return c.json(kase!, 201)
  })

  api.openapi(noteRoute, async (c) => {
    const { text } = c.req.valid('json')
    return c.json(await changeCase(c, c.req.valid('param').ref, (tx, id, caller) => addNote(tx, caller.orgId, id, caller, text)), 200)
  })

  api.openapi(ownerRoute, async (c) => {
    const body = c.req.valid('json')
    const kase = await changeCase(c, c.req.valid('param').ref, async (tx, id, caller) =>
      assignOwner(tx, caller.orgId, id, await ownerIdOf(tx, body), caller, body.reason),
    )
    return c.json(kase, 200)
  })

  // Not kept as a labelled intake example, unlike a person's change on the case page: a
  // program's rule is not a reading of the mail.
  api.openapi(severityRoute, async (c) => {
    const { severity, reason } = c.req.valid('json')
    const kase = await changeCase(c, c.req.valid('param').ref, (tx, id, caller) =>
      changeSeverity(tx, caller.orgId, id, severity, userActor(caller), reason),
    )
    return c.json(kase, 200)
  })

  api.openapi(statusRoute, async (c) => {
    const { status, reason } = c.req.valid('json')
    const kase = await changeCase(c, c.req.valid('param').ref, (tx, id, caller) =>
      changeStatus(tx, caller.orgId, id, userActor(caller), { to: status, reason }),
    )
    return c.json(kase, 200)
  })
}
