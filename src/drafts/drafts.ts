import { z } from 'zod'
import { recordAudit, systemActor, type Actor, userActor } from '../audit/audit.ts'
import { voidPendingApprovals } from '../approvals/void.ts'
import { withLinksPlaceholder } from '../csat/csat.ts'
import { withOrg, type Db, type Tx } from '../db.ts'
import type { Env } from '../env.ts'
import { AppError } from '../http/errors.ts'
import { fieldErrors } from '../http/forms.ts'
import { insertJob } from '../jobs/queries.ts'
import { singleLine } from '../outbound/headers.ts'
import { requestAiDraft, type FallbackReason } from './ai.ts'
import { allowedRecipients, loadDraftContext, type DraftContext } from './context.ts'
import { suggestedCopies, threadAddresses } from './copies.ts'
import type { FileRef } from '../attachments/reply-files.ts'
import { checkDraft, type GuardrailFlag } from './guardrails.ts'
import { systemMessage, userMessage } from './instructions.ts'
import { insertDraft, listDraftVersions, type NewDraft } from './queries.ts'
import { loadIntakeContext } from '../orgs/intake-context.ts'
import { replyRoute, type ReplyParty } from './recipient.ts'
import { MAX_COPIES, purposes, type DraftPurpose } from './schema.ts'
import { renderTemplate, type DraftContent } from './templates.ts'

// Drafts are written and stored here, and nowhere else. Nothing in this folder sends mail:
// a draft reaches a customer only through the approval gate, which reads a version.

export type DraftDeps = { db: Db; env: Env }

export const draftJobPayload = z.object({
  caseId: z.uuid(),
  purpose: z.enum(purposes).optional(),
  instruction: z.string().max(1000).nullish(),
  requestedBy: z.uuid().nullish(),
})
export type DraftRequest = z.infer<typeof draftJobPayload> & { orgId: string; jobId?: string }

export type DraftOutcome = {
  version: number
  authorKind: NewDraft['authorKind']
  author: string
  fallbackReason: FallbackReason | null
  flags: GuardrailFlag[]
}

/** reply before the first response, update after it, resolution once resolved (or when asked). */
export function inferPurpose(ctx: DraftContext): DraftPurpose {
  if (ctx.kase.status === 'resolved') return 'resolution'
  return ctx.kase.firstResponseAt ? 'update' : 'reply'
}

/**
 * Writes the next version for a case: the model when the org allows it and a key is set, else
 * (or on any failure) the template, with the reason audited. Two short transactions around the
 * model call, never one open across it. `complete` marks the job done in the saving transaction.
 */
export async function generateDraft(
  deps: DraftDeps,
  req: DraftRequest,
  complete?: (tx: Tx) => Promise<void>,
): Promise<DraftOutcome | null> {
  const ctx = await withOrg(deps.db, req.orgId, (tx) => loadDraftContext(tx, req.caseId))
  if (!ctx) {
    // The case is gone from this org (or never was): nothing to draft, nothing to retry.
    if (complete) await withOrg(deps.db, req.orgId, complete)
    return null
  }
  const purpose = req.purpose ?? inferPurpose(ctx)
  const instruction = req.instruction?.trim() || null

  let content: DraftContent
  let author: { kind: 'ai' | 'template'; name: string }
  let fallback: { reason: FallbackReason; detail: string } | null = null
  let aiFlags: { code: string; message: string; evidence: string }[] = []
  const result = !ctx.org.settings.ai_enabled
    ? { ok: false as const, reason: 'ai_disabled' as const, detail: 'AI drafting is turned off for this organization' }
    : await requestAiDraft(deps.env, { system: systemMessage(ctx, purpose, instruction), user: userMessage(ctx, Boolean(instruction)) })
  if (result.ok) {
    const d = result.draft
    content = {
      subject: d.subject.trim(),
      body: d.body.trim(),
      toneNotes: d.toneNotes.trim(),
      missingFacts: d.missingFacts.map((f) => f.trim()).filter(Boolean),
      recoveryAction: d.recoveryAction,
      recoveryRationale: d.recoveryRationale.trim(),
    }
    aiFlags = d.guardrailFlags
    author = { kind: 'ai', name: `ai:${deps.env.OPENAI_MODEL}` }
  } else {
    content = renderTemplate(ctx, purpose)
    author = { kind: 'template', name: 'template' }
    fallback = { reason: result.reason, detail: result.detail }
    // A template follows no instruction: the version says so, and is not filed as one.
    if (instruction) {
      content = {
        ...content,
        toneNotes: `The instruction “${instruction}” was not followed (${result.detail}): this is the standard template. ${content.toneNotes}`,
      }
    }
  }
  const followed = author.kind === 'ai' ? instruction : null

  // The resolution message carries the customer's rating and "confirm it's resolved" links. The
  // version holds a readable placeholder, which the approver approves; the send job mints the
  // links into the copy it hands the provider, so nobody on the team ever holds a live one.
  if (purpose === 'resolution') content = { ...content, body: withLinksPlaceholder(content.body) }

  return withOrg(deps.db, req.orgId, async (tx) => {
    const saved = await saveVersion(
      tx,
      req.orgId,
      req.caseId,
      {
        authorKind: author.kind,
        author: author.name,
        authorId: null,
        purpose,
        toEmails: ctx.replyRoute.to,
        ...(await carriedForward(tx, req.orgId, req.caseId, ctx.replyRoute.to)),
        ...content,
        fallbackReason: fallback?.reason ?? null,
        instruction: followed,
        guardrailFlags: [],
      },
      {
        actor: author.kind === 'ai' ? { kind: 'ai', id: author.name } : systemActor,
        missingFacts: content.missingFacts,
        modelFlags: aiFlags,
        audit: {
          ...(fallback ? { fallbackReason: fallback.reason, fallbackDetail: fallback.detail } : {}),
          ...(req.jobId ? { jobId: req.jobId } : {}),
          ...(req.requestedBy ? { requestedBy: req.requestedBy } : {}),
          ...(instruction ? { instruction } : {}),
          ...(instruction && !followed ? { instructionFollowed: false } : {}),
        },
      },
    )
    if (complete) await complete(tx)
    return {
      version: saved.version,
      authorKind: author.kind,
      author: author.name,
      fallbackReason: fallback?.reason ?? null,
      flags: saved.flags,
    }
  })
}

/**
 * What a written version keeps of the one before: its copies and files, which a person chose.
 * The first version is copied to whom the customer copied ("reply all"), which the approver sees.
 */
async function carriedForward(tx: Tx, orgId: string, caseId: string, to: string[]): Promise<{ ccEmails: string[]; files: FileRef[] }> {
  const [latest] = await listDraftVersions(tx, caseId, 1)
  if (latest) return { ccEmails: latest.ccEmails, files: latest.attachments.map(({ kind, id }) => ({ kind, id })) }
  const ccEmails = (await suggestedCopies(tx, caseId, await loadIntakeContext(tx, orgId), to)).slice(0, MAX_COPIES)
  return { ccEmails, files: [] }
}

export type SaveOptions = {
  actor: Actor
  missingFacts?: string[]
  modelFlags?: { code: string; message: string; evidence: string }[]
  audit?: Record<string, unknown>
}

/**
 * Every version goes through here: its subject made one line, guardrails run on it, it gets the
 * next number, and it makes every earlier approval stale (open requests lapse, an approved
 * reply that has not left is held back). All audited.
 */
export async function saveVersion(tx: Tx, orgId: string, caseId: string, input: NewDraft, options: SaveOptions) {
  const [kase] = await tx<(ReplyParty & { source: string })[]>`
    select source, customer_name as "customerName", customer_email as "customerEmail", channel_kind as "channelKind",
           channel_name as "channelName", channel_email as "channelEmail"
    from cases where id = ${caseId} for no key update`
  if (!kase) throw new AppError('NOT_FOUND', 'That case does not exist.')
  // One line whoever wrote it (sql/00011), never shortened: subjects are stored whole (sql/00020)
  // and only the mail's Subject header is cut, when it leaves (outgoingSubject, src/outbound/headers.ts).
  const draft = { ...input, subject: singleLine(input.subject) }
  const org = await loadIntakeContext(tx, orgId)
  const route = replyRoute(kase, org)
  const flags = checkDraft(
    { to: draft.toEmails, cc: draft.ccEmails, subject: draft.subject, body: draft.body },
    {
      allowedRecipients: await allowedRecipients(tx, caseId),
      threadAddresses: await threadAddresses(tx, caseId),
      source: kase.source,
      org,
      channelKind: kase.channelKind,
      noRecipientReason: route.kind === 'none' ? route.sentence : null,
      missingFacts: options.missingFacts,
      modelFlags: options.modelFlags,
    },
  )
  const saved = await insertDraft(tx, orgId, caseId, { ...draft, guardrailFlags: flags })
  await voidPendingApprovals(tx, orgId, caseId, 'a newer version of the reply was saved', options.actor)
  await recordAudit(tx, orgId, {
    actor: options.actor,
    action: 'draft.create',
    caseId,
    details: {
      version: saved.version,
      author: draft.author,
      authorKind: draft.authorKind,
      purpose: draft.purpose,
      flags: flags.map((f) => f.code),
      blockers: flags.filter((f) => f.severity === 'block').length,
      ...(draft.ccEmails.length ? { cc: draft.ccEmails } : {}),
      ...(draft.files.length ? { files: draft.files.length } : {}),
      ...options.audit,
    },
  })
  return { ...saved, flags }
}

/** "Redraft": a draft job for the case, with the person's instruction; the caller may run it now. */
export async function requestRedraft(
  tx: Tx,
  orgId: string,
  caseId: string,
  user: { id: string },
  instructionInput: string | undefined,
): Promise<string> {
  const instruction = (instructionInput ?? '').trim()
  if (instruction.length > 1000) throw new AppError('BAD_INPUT', 'Keep the instruction under 1,000 characters.')
  const [kase] = await tx<{ id: string }[]>`select id from cases where id = ${caseId}`
  if (!kase) throw new AppError('NOT_FOUND', 'That case does not exist.')
  const jobId = await insertJob(tx, orgId, 'draft', { caseId, requestedBy: user.id, ...(instruction ? { instruction } : {}) })
  await recordAudit(tx, orgId, {
    actor: userActor(user),
    action: 'draft.request',
    caseId,
    details: { jobId, ...(instruction ? { instruction } : {}) },
  })
  return jobId
}
