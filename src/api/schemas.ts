import { z } from '@hono/zod-openapi'
import { severities, sources, statuses } from '../cases/terms.ts'

// The shapes /api/v1 takes and gives, from which its OpenAPI document is generated. Case fields
// come from the one vocabulary in src/cases/terms.ts; the request to create a case is the portal
// form's own schema (src/cases/create.ts newCaseSchema).

const instant = z.iso.datetime().openapi({ example: '2026-11-22T09:00:00.000Z' })
const caseRef = z.string().openapi({ example: 'ESC-1042', description: 'The case number as people quote it.' })

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'NOT_FOUND' }),
      message: z.string().openapi({ example: 'That case does not exist.' }),
      requestId: z.string(),
    }),
  })
  .openapi('Error')

const Customer = z.object({ name: z.string().nullable(), email: z.string().nullable() })

export const CaseListItemSchema = z
  .object({
    id: z.uuid(),
    ref: caseRef,
    subject: z.string(),
    customer: Customer,
    source: z.enum(sources),
    severity: z.enum(severities),
    status: z.enum(statuses),
    openedAt: instant,
    ownerName: z.string().nullable(),
    breached: z.boolean().openapi({ description: 'A deadline (first response or resolution) was missed.' }),
  })
  .openapi('CaseListItem')

export const CaseListSchema = z
  .object({
    cases: z.array(CaseListItemSchema),
    next: z.string().nullable().openapi({ description: 'Pass as `after` for the next page; null on the last page.' }),
  })
  .openapi('CaseList')

export const SearchResultSchema = z
  .object({
    cases: z.array(
      CaseListItemSchema.pick({ id: true, ref: true, subject: true, customer: true, severity: true, status: true, openedAt: true }).extend({
        snippet: z.string().openapi({ description: 'Where the words were found.' }),
      }),
    ),
  })
  .openapi('SearchResult')

const ThreadMessage = z
  .object({
    id: z.uuid(),
    direction: z.enum(['inbound', 'outbound', 'note']),
    from: z.object({ email: z.string().nullable(), name: z.string().nullable() }),
    to: z.array(z.string()),
    subject: z.string(),
    text: z.string(),
    authorName: z.string().nullable().openapi({ description: "A note's author." }),
    createdAt: instant,
  })
  .openapi('ThreadMessage')

const AuditEvent = z
  .object({
    seq: z.string(),
    action: z.string().openapi({ example: 'case.assign' }),
    actor: z.object({ kind: z.enum(['user', 'system', 'ai', 'customer']), id: z.string().nullable(), name: z.string().nullable() }),
    details: z.record(z.string(), z.unknown()),
    createdAt: instant,
  })
  .openapi('AuditEvent')

export const CaseSchema = z
  .object({
    id: z.uuid(),
    ref: caseRef,
    subject: z.string(),
    summary: z.string(),
    source: z.enum(sources),
    severity: z.enum(severities),
    severityReasons: z.array(z.string()),
    status: z.enum(statuses),
    caseType: z.string(),
    externalRef: z.string().nullable(),
    customer: Customer,
    owner: z.object({ id: z.uuid(), name: z.string().nullable(), email: z.string().nullable() }).nullable(),
    openedAt: instant,
    clocks: z.object({
      firstResponseDueAt: instant.nullable(),
      firstResponseAt: instant.nullable(),
      nextUpdateDueAt: instant.nullable(),
      resolutionDueAt: instant.nullable(),
      resolvedAt: instant.nullable(),
      closedAt: instant.nullable(),
    }),
    thread: z.array(ThreadMessage),
    audit: z.array(AuditEvent),
  })
  .openapi('Case')

export const CaseRefParams = z.object({
  ref: z
    .string()
    .max(100)
    .openapi({ param: { name: 'ref', in: 'path' }, example: 'ESC-1042', description: 'ESC-n or the case id.' }),
})

export const CaseListQuery = z.object({
  status: z
    .enum(['open', 'resolved', 'closed', 'all'])
    .optional()
    .openapi({ description: 'open: neither resolved nor closed. Default all.' }),
  source: z.enum(sources).optional(),
  severity: z.enum(severities).optional(),
  owner: z.uuid().optional().openapi({ description: "The owner's user id." }),
  from: z.iso.date().optional().openapi({ description: 'Opened on or after this day.' }),
  to: z.iso.date().optional().openapi({ description: 'Opened on or before this day.' }),
  breached: z.enum(['1']).optional().openapi({ description: '1: only cases that missed a deadline.' }),
  after: z.string().max(200).optional().openapi({ description: 'The `next` of the previous page.' }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
})

export const SearchQuery = z.object({ q: z.string().trim().min(1).max(200).openapi({ example: 'Kowalczyk' }) })

export const NoteBody = z.object({ text: z.string().min(1).max(20_000) }).openapi('NewNote')

export const OwnerBody = z
  .object({
    ownerId: z.uuid().optional(),
    email: z.email().optional().openapi({ description: 'The owner by address, instead of ownerId.' }),
    reason: z.string().max(2000).optional().openapi({ description: 'Needed to reassign a case that has an owner.' }),
  })
  .refine((b) => !!b.ownerId !== !!b.email, { message: 'Give ownerId or email (one of them).' })
  .openapi('OwnerChange')

export const SeverityBody = z
  .object({
    severity: z.enum(severities),
    reason: z.string().max(2000).optional().openapi({ description: 'Needed once the case is past triage.' }),
  })
  .openapi('SeverityChange')

/**
 * The statuses a token may set: the portal's own transitions, less the two that belong to the
 * approval gate and the sending (awaiting approval, responded), which the API never touches.
 */
export const apiStatuses = ['new', 'triaged', 'waiting_customer', 'in_progress', 'resolved', 'closed'] as const

export const StatusBody = z
  .object({
    status: z.enum(apiStatuses),
    reason: z.string().max(2000).optional().openapi({ description: 'Needed to close a case the customer has not confirmed.' }),
  })
  .openapi('StatusChange')
