import { z } from 'zod'
import { recordAudit, userActor } from '../audit/audit.ts'
import type { SessionUser } from '../auth/sessions.ts'
import { lockCase } from '../cases/case-record.ts'
import type { Tx } from '../db.ts'
import { AppError } from '../http/errors.ts'
import { isUuid } from '../http/ids.ts'
import {
  getRecoveryPlan,
  impactLevels,
  insertRecoveryItem,
  itemKinds,
  listRecoveryItems,
  recordRelationshipCheck,
  setRecoveryItemStatus,
  upsertRecoveryPlan,
  type ImpactLevel,
  type ItemKind,
} from './queries.ts'

// The recovery plan of a case: the impact level picks the proportional actions of the playbook
// (apology; apology + service credit; executive call + credit + roadmap; in-person meeting +
// significant gesture), each a tracked item with an owner and a due date, and the relationship
// check-ins at 1, 2 and 4 weeks. Promises kept or not are then facts: the digest lists overdue
// items ("no follow-through") and the 90-day check records whether the relationship held.

export const impactLabels: Record<ImpactLevel, string> = {
  minor: 'Minor',
  moderate: 'Moderate',
  significant: 'Significant',
  severe: 'Severe',
}

export const kindLabels: Record<ItemKind, string> = {
  apology: 'Apology',
  service_credit: 'Service credit',
  executive_call: 'Executive call',
  roadmap: 'Roadmap commitment',
  in_person_meeting: 'In-person meeting',
  gesture: 'Significant gesture',
  check_in: 'Check-in',
  other: 'Other',
}

type PlannedItem = { kind: ItemKind; title: string; dueInDays: number }

const actionsByLevel: Record<ImpactLevel, PlannedItem[]> = {
  minor: [{ kind: 'apology', title: 'Apologise and thank them', dueInDays: 1 }],
  moderate: [
    { kind: 'apology', title: 'Apologise', dueInDays: 1 },
    { kind: 'service_credit', title: 'Apply the service credit', dueInDays: 7 },
  ],
  significant: [
    { kind: 'executive_call', title: 'Executive call with the customer', dueInDays: 3 },
    { kind: 'service_credit', title: 'Apply the service credit', dueInDays: 7 },
    { kind: 'roadmap', title: 'Share the roadmap commitment', dueInDays: 14 },
  ],
  severe: [
    { kind: 'in_person_meeting', title: 'Meet the customer in person', dueInDays: 14 },
    { kind: 'gesture', title: 'Deliver the significant gesture', dueInDays: 30 },
  ],
}

/** The relationship follow-ups every plan gets: check-ins after 1, 2 and 4 weeks. */
export const CHECK_IN_WEEKS = [1, 2, 4]

export const plannedItems = (level: ImpactLevel): PlannedItem[] => [
  ...actionsByLevel[level],
  ...CHECK_IN_WEEKS.map((w) => ({ kind: 'check_in' as const, title: `Check in after ${w} week${w === 1 ? '' : 's'}`, dueInDays: 7 * w })),
]

const money = z
  .string()
  .default('')
  .transform((s) => s.replace(/[\s,]/g, ''))
  .pipe(z.union([z.literal(''), z.string().regex(/^\d{1,10}(\.\d{1,2})?$/, 'Give the credit as an amount, like 500 or 250.50.')]))
const currency = z
  .string()
  .default('USD')
  .transform((s) => s.trim().toUpperCase() || 'USD')
  .pipe(z.string().regex(/^[A-Z]{3}$/, 'Give the currency as a three-letter code, like USD or EUR.'))
const owner = z.string().refine(isUuid, 'Choose who owns it.')

export const planFormSchema = z.object({
  impactLevel: z.enum(impactLevels, 'Choose the impact level.'),
  ownerId: owner,
  creditAmount: money,
  creditCurrency: currency,
})

/** The org-local date `days` after `now`. */
async function localDatePlus(tx: Tx, now: Date, days: number): Promise<string> {
  const [row] = await tx<{ d: string }[]>`
    select to_char((${now}::timestamptz at time zone o.timezone)::date + ${days}::int, 'YYYY-MM-DD') as d
    from orgs o where o.id = app_org_id()`
  return row!.d
}

async function activeUser(tx: Tx, id: string): Promise<string> {
  const [row] = await tx<{ id: string }[]>`select id from app_users where id = ${id} and disabled_at is null`
  if (!row) throw new AppError('BAD_INPUT', 'Choose an active teammate as the owner.')
  return row.id
}

const zodMessage = (e: z.ZodError) => e.issues[0]?.message ?? 'The form is not valid.'

/**
 * Sets the case's impact level and adds the actions of that level the case does not have yet
 * (a raised level adds the bigger gestures; nothing already promised is dropped), plus the
 * check-ins on a new plan. A level with a service credit needs its amount.
 */
export async function setRecoveryPlan(
  tx: Tx,
  orgId: string,
  caseId: string,
  user: SessionUser,
  form: Record<string, string>,
  now = new Date(),
): Promise<void> {
  await lockCase(tx, caseId)
  const parsed = planFormSchema.safeParse(form)
  if (!parsed.success) throw new AppError('BAD_INPUT', zodMessage(parsed.error))
  const { impactLevel, creditAmount, creditCurrency } = parsed.data
  const ownerId = await activeUser(tx, parsed.data.ownerId)
  const existing = await listRecoveryItems(tx, caseId, now)
  const have = new Set(existing.map((i) => i.kind))
  const missing = plannedItems(impactLevel).filter((i) => !have.has(i.kind))
  if (missing.some((i) => i.kind === 'service_credit') && !creditAmount) {
    throw new AppError('BAD_INPUT', `A ${impactLabels[impactLevel].toLowerCase()} impact includes a service credit: give its amount.`)
  }
  const from = await upsertRecoveryPlan(tx, { orgId, caseId, impactLevel, userId: user.id })
  if (from === impactLevel && missing.length === 0) return
  for (const item of missing) {
    const credit = item.kind === 'service_credit'
    await insertRecoveryItem(tx, {
      orgId,
      caseId,
      kind: item.kind,
      title: item.title,
      ownerId,
      dueOn: await localDatePlus(tx, now, item.dueInDays),
      creditAmount: credit ? creditAmount : null,
      creditCurrency: credit ? creditCurrency : null,
      createdBy: user.id,
    })
  }
  await recordAudit(tx, orgId, {
    actor: userActor(user),
    action: 'recovery.plan',
    caseId,
    details: {
      impactLevel,
      from,
      items: missing.map((i) => i.kind),
      ...(creditAmount ? { credit: `${creditAmount} ${creditCurrency}` } : {}),
    },
  })
}

export const itemFormSchema = z.object({
  kind: z.enum(itemKinds, 'Choose what kind of action it is.'),
  title: z
    .string()
    .default('')
    .transform((s) => s.trim())
    .pipe(z.string().min(1, 'Say what will be done.').max(300, 'Keep it under 300 characters.')),
  ownerId: owner,
  dueOn: z.iso.date('Give a due date.'),
  creditAmount: money,
  creditCurrency: currency,
})

/** One more tracked item on an existing plan (a gesture agreed on the call, a later check-in). */
export async function addRecoveryItem(tx: Tx, orgId: string, caseId: string, user: SessionUser, form: Record<string, string>) {
  await lockCase(tx, caseId)
  if (!(await getRecoveryPlan(tx, caseId))) throw new AppError('INVALID_STATE', 'Choose the impact level first.')
  const parsed = itemFormSchema.safeParse(form)
  if (!parsed.success) throw new AppError('BAD_INPUT', zodMessage(parsed.error))
  const f = parsed.data
  const credit = f.kind === 'service_credit'
  if (credit && !f.creditAmount) throw new AppError('BAD_INPUT', 'A service credit needs its amount.')
  const ownerId = await activeUser(tx, f.ownerId)
  const id = await insertRecoveryItem(tx, {
    orgId,
    caseId,
    kind: f.kind,
    title: f.title,
    ownerId,
    dueOn: f.dueOn,
    creditAmount: credit ? f.creditAmount : null,
    creditCurrency: credit ? f.creditCurrency : null,
    createdBy: user.id,
  })
  await recordAudit(tx, orgId, {
    actor: userActor(user),
    action: 'recovery.item_add',
    caseId,
    details: {
      itemId: id,
      kind: f.kind,
      title: f.title,
      ownerId,
      dueOn: f.dueOn,
      ...(credit ? { credit: `${f.creditAmount} ${f.creditCurrency}` } : {}),
    },
  })
}

export async function markRecoveryItem(tx: Tx, orgId: string, caseId: string, user: SessionUser, itemId: string, status: 'open' | 'done') {
  await lockCase(tx, caseId)
  if (!isUuid(itemId)) throw new AppError('NOT_FOUND', 'That recovery item does not exist.')
  const row = await setRecoveryItemStatus(tx, caseId, itemId, status, user.id)
  if (!row) throw new AppError('INVALID_STATE', status === 'done' ? 'That item is already done.' : 'That item is already open.')
  await recordAudit(tx, orgId, {
    actor: userActor(user),
    action: status === 'done' ? 'recovery.item_done' : 'recovery.item_reopen',
    caseId,
    details: { itemId, kind: row.kind, title: row.title },
  })
}

export const checkFormSchema = z.object({
  maintained: z.enum(['yes', 'no'], 'Say whether the relationship was maintained.'),
  note: z
    .string()
    .default('')
    .transform((s) => s.trim())
    .pipe(z.string().max(2000, 'Keep the note under 2,000 characters.')),
})

/**
 * The 90-day check: was the relationship maintained? Recorded once, from its due date (90 days
 * after the case was resolved, or after the plan was made before that), by a person who looked.
 */
export async function recordRecoveryCheck(
  tx: Tx,
  orgId: string,
  caseId: string,
  user: SessionUser,
  form: Record<string, string>,
  now = new Date(),
) {
  await lockCase(tx, caseId)
  const plan = await getRecoveryPlan(tx, caseId, now)
  if (!plan) throw new AppError('INVALID_STATE', 'This case has no recovery plan.')
  if (plan.checkedAt) throw new AppError('INVALID_STATE', 'The 90-day check is already recorded.')
  if (!plan.checkDue) throw new AppError('INVALID_STATE', `The 90-day check is due on ${plan.checkDueOn}.`)
  const parsed = checkFormSchema.safeParse(form)
  if (!parsed.success) throw new AppError('BAD_INPUT', zodMessage(parsed.error))
  const maintained = parsed.data.maintained === 'yes'
  if (!(await recordRelationshipCheck(tx, caseId, { maintained, note: parsed.data.note, userId: user.id }))) {
    throw new AppError('INVALID_STATE', 'The 90-day check is already recorded.')
  }
  await recordAudit(tx, orgId, {
    actor: userActor(user),
    action: 'recovery.check',
    caseId,
    details: { maintained, ...(parsed.data.note ? { note: parsed.data.note } : {}) },
  })
}
