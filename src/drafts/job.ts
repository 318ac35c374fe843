import type { JobHandler } from '../jobs/runner.ts'
import { draftJobPayload, generateDraft } from './drafts.ts'

/** kind 'draft', payload {caseId, purpose?, instruction?, requestedBy?}: enqueued by intake, the case form, resolve and "Redraft". */
export const draftJob: JobHandler = async (job, ctx) => {
  const payload = draftJobPayload.safeParse(job.payload)
  if (!payload.success) {
    // A malformed payload will not get better by retrying: log it and let the job finish.
    ;(ctx.log ?? console.error)(`job draft #${job.id}: ignored, bad payload: ${payload.error.issues.map((i) => i.message).join('; ')}`)
    return
  }
  await generateDraft({ db: ctx.db, env: ctx.env }, { ...payload.data, orgId: job.orgId, jobId: job.id }, ctx.complete)
}
