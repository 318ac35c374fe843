import type { z } from '@hono/zod-openapi'
import type { Tx } from '../db.ts'
import { getCaseDetail, listThread, listTimeline } from '../cases/detail.ts'
import { caseIdByNumber, caseNumberIn, type CaseListRow, type SearchHit } from '../cases/find.ts'
import { survivingCaseId } from '../cases/merge.ts'
import { caseLabel } from '../cases/terms.ts'
import { isUuid } from '../http/ids.ts'
import type { CaseListItemSchema, CaseSchema, SearchResultSchema } from './schemas.ts'

// Cases as /api/v1 shows them, read by the same functions as the case page and the /cases list,
// inside the token's org (RLS): another org's case is simply not found.

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null)

/** The case id an `ESC-1042` or a uuid names in this org, or null. */
export async function caseIdForRef(tx: Tx, ref: string): Promise<string | null> {
  const number = caseNumberIn(ref)
  if (number !== null) return caseIdByNumber(tx, number)
  return isUuid(ref) ? ref : null
}

/** As the case page does: a merged case is read as the case it was merged into (sql/00025). */
export async function readableCaseId(tx: Tx, ref: string): Promise<string | null> {
  const id = await caseIdForRef(tx, ref)
  return id && ((await survivingCaseId(tx, id)) ?? id)
}

export function caseListItem(r: CaseListRow): z.infer<typeof CaseListItemSchema> {
  return {
    id: r.id,
    ref: caseLabel(r.number),
    subject: r.subject,
    customer: { name: r.customerName, email: r.customerEmail },
    source: r.source,
    severity: r.severity,
    status: r.status as z.infer<typeof CaseListItemSchema>['status'],
    openedAt: iso(r.openedAt)!,
    ownerName: r.ownerName,
    breached: r.breached,
  }
}

export function searchItem(h: SearchHit): z.infer<typeof SearchResultSchema>['cases'][number] {
  return {
    id: h.id,
    ref: caseLabel(h.number),
    subject: h.subject,
    customer: { name: h.customerName, email: h.customerEmail },
    severity: h.severity,
    status: h.status as z.infer<typeof CaseListItemSchema>['status'],
    openedAt: iso(h.openedAt)!,
    // The marks around found words are for the portal's view; an API client gets the text.
    snippet: h.snippet.replace(/[\u0001\u0002]/g, ''),
  }
}

/** The case with its thread and its audit events, or null when this org has no such case. */
export async function loadApiCase(tx: Tx, caseId: string): Promise<z.infer<typeof CaseSchema> | null> {
  const k = await getCaseDetail(tx, caseId)
  if (!k) return null
  const [thread, timeline] = await Promise.all([listThread(tx, caseId), listTimeline(tx, caseId)])
  return {
    id: k.id,
    ref: caseLabel(k.number),
    subject: k.subject,
    summary: k.summary,
    source: k.source,
    severity: k.severity,
    severityReasons: k.severityReasons,
    status: k.status,
    caseType: k.caseType,
    externalRef: k.externalRef,
    customer: { name: k.customerName, email: k.customerEmail },
    owner: k.ownerId ? { id: k.ownerId, name: k.ownerName, email: k.ownerEmail } : null,
    openedAt: iso(k.openedAt)!,
    clocks: {
      firstResponseDueAt: iso(k.firstResponseDueAt),
      firstResponseAt: iso(k.firstResponseAt),
      nextUpdateDueAt: iso(k.nextUpdateDueAt),
      resolutionDueAt: iso(k.resolutionDueAt),
      resolvedAt: iso(k.resolvedAt),
      closedAt: iso(k.closedAt),
    },
    thread: thread.map((m) => ({
      id: m.id,
      direction: m.direction,
      from: { email: m.fromEmail, name: m.fromName },
      to: m.toEmails,
      subject: m.subject,
      text: m.textBody,
      authorName: m.authorName,
      createdAt: iso(m.createdAt)!,
    })),
    audit: timeline.map((e) => ({
      seq: String(e.seq),
      action: e.action,
      actor: { kind: e.actorKind, id: e.actorId, name: e.actorName },
      details: e.details,
      createdAt: iso(e.createdAt)!,
    })),
  }
}
