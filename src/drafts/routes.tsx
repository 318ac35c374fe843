import { Hono, type Context } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import { isUuid } from '../http/ids.ts'
import { findCaseNumberById } from '../cases/queries.ts'
import { withOrg } from '../db.ts'
import { AppError, notFound } from '../http/errors.ts'
import { requireUser } from '../http/session.ts'
import { runJobNow } from '../jobs/runner.ts'
import { DraftPage, DraftSection, type DraftSectionProps } from '../../views/case/draft.tsx'
import { requestRedraft } from './drafts.ts'
import { attachUploadedFile, draftPicksOf, saveEditedDraft } from './edits.ts'
import { draftJob } from './job.ts'
import { loadCaseDrafts } from './case-drafts.ts'
import { textFields, textOf } from '../http/forms.ts'
import { loadDraftSettings } from './settings.ts'
import { isHtmx, pageOrFragment } from '../http/htmx.ts'

/** Mounted at /cases: the reply section of a case (fragment), edits, and "Redraft". */
export const draftRoutes = new Hono<AppEnv>()

function caseIdOf(c: Context<AppEnv>): string {
  const id = c.req.param('id') ?? ''
  if (!isUuid(id)) throw notFound('That case')
  return id
}

const formOf = (c: Context<AppEnv>) => textFields(c)

/** The section for htmx; a small page otherwise (a plain form post without script). */
async function respond(c: Context<AppEnv>, caseId: string, props: Omit<DraftSectionProps, 'panel'>, status: 200 | 409 | 422 = 200) {
  const user = requireUser(c)
  const panel = await withOrg(c.get('deps').db, user.orgId, async (tx) =>
    (await findCaseNumberById(tx, caseId)) === undefined ? null : loadCaseDrafts(tx, caseId, c.get('deps').env.MAIL_FROM),
  )
  if (!panel) throw notFound('That case')
  if (!isHtmx(c) && status === 200 && !props.edit) return c.redirect(`/cases/${caseId}#draft`, 303)
  return pageOrFragment(c, <DraftPage panel={panel} {...props} />, <DraftSection panel={panel} {...props} />, status)
}

draftRoutes.get('/:id/drafts', async (c) => respond(c, caseIdOf(c), {}))

draftRoutes.post('/:id/drafts', async (c) => {
  const user = requireUser(c)
  const caseId = caseIdOf(c)
  const body = await c.req.parseBody({ all: true })
  const form = textOf(body)
  const picks = draftPicksOf(body)
  const result = await withOrg(c.get('deps').db, user.orgId, (tx) => saveEditedDraft(tx, user.orgId, caseId, user, form, picks))
  if (!result.ok) return respond(c, caseId, { edit: { values: form, errors: result.errors } }, result.errors.form ? 409 : 422)
  if ('unchanged' in result) return respond(c, caseId, { notice: 'Nothing changed, so no new version was saved.' })
  const blockers = result.flags.filter((f) => f.severity === 'block').length
  return respond(c, caseId, {
    notice: `Saved as version ${result.version}.${blockers ? ` ${blockers} problem${blockers === 1 ? '' : 's'} must be fixed before approval.` : ''}`,
  })
})

/** A file from the person's computer, added to the reply as a new version (multipart: `upload`, `baseVersion`). */
draftRoutes.post('/:id/drafts/files', async (c) => {
  const user = requireUser(c)
  const caseId = caseIdOf(c)
  const body = await c.req.parseBody()
  const upload = body.upload
  if (!(upload instanceof File) || !upload.name) return respond(c, caseId, { error: 'Choose a file to attach first.' }, 422)
  const file = { filename: upload.name, contentType: upload.type, content: new Uint8Array(await upload.arrayBuffer()) }
  const baseVersion = typeof body.baseVersion === 'string' ? body.baseVersion : '0'
  let result
  try {
    result = await withOrg(c.get('deps').db, user.orgId, (tx) => attachUploadedFile(tx, user.orgId, caseId, user, file, baseVersion))
  } catch (error) {
    if (error instanceof AppError && error.code === 'BAD_INPUT') return respond(c, caseId, { error: error.message }, 422)
    throw error
  }
  if (!result.ok) return respond(c, caseId, { error: Object.values(result.errors).join(' ') }, result.errors.form ? 409 : 422)
  if ('kept' in result) return respond(c, caseId, { notice: `“${result.filename}” is kept on the case: attach it once there is a draft.` })
  if ('unchanged' in result) return respond(c, caseId, { notice: 'Nothing changed, so no new version was saved.' })
  return respond(c, caseId, { notice: `Attached “${file.filename}”: saved as version ${result.version}.` })
})

draftRoutes.post('/:id/drafts/redraft', async (c) => {
  const user = requireUser(c)
  const caseId = caseIdOf(c)
  const form = await formOf(c)
  const deps = c.get('deps')
  // Only the model can follow an instruction. Without it, say so and offer what there is (the
  // standard template, or an edit by hand) rather than file a template as "redrafted on request".
  if (form.instruction?.trim()) {
    const noAi = !deps.env.OPENAI_API_KEY
      ? 'AI drafting is not set up here (no OPENAI_API_KEY)'
      : !(await withOrg(deps.db, user.orgId, (tx) => loadDraftSettings(tx, user.orgId))).ai_enabled
        ? 'AI drafting is turned off for this organization'
        : null
    if (noAi) {
      return respond(
        c,
        caseId,
        {
          error: `${noAi}, so a redraft cannot follow an instruction: drafts come from the standard templates. Edit the text yourself, or empty the instruction and press Redraft for a fresh template.`,
        },
        422,
      )
    }
  }
  let jobId: string
  try {
    jobId = await withOrg(deps.db, user.orgId, (tx) => requestRedraft(tx, user.orgId, caseId, user, form.instruction))
  } catch (error) {
    if (error instanceof AppError && error.code === 'BAD_INPUT') return respond(c, caseId, { error: error.message }, 422)
    throw error
  }
  // Run it now, in this request: a person is waiting. Should the background loop have taken it
  // first, the section shows it pending and polls until it lands.
  const run = await runJobNow({ db: deps.db, env: deps.env, handlers: { draft: draftJob } }, jobId)
  return respond(c, caseId, run.done ? { notice: 'Redrafted: a new version is below.' } : {})
})
