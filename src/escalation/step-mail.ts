import { caseLabel } from '../cases/terms.ts'
import type { Tx } from '../db.ts'
import { listApprovers, type AlertCase } from '../digest/alert-case.ts'
import { duration, localTime, oneLine } from '../digest/format.ts'
import type { ChainCandidate } from './scan.ts'

// Who each step tells and what it says. A recipient who is a user of the desk gets an
// acknowledge link of their own; an executive listed for the org who has no account still gets
// the mail (they asked to hear of breaches), without the link.

export type StepRecipient = { email: string; userId: string | null }

/** The owner, if active; else every approver and admin (an unowned case is their problem). */
async function ownerOrApprovers(tx: Tx, kase: AlertCase): Promise<StepRecipient[]> {
  if (kase.ownerActive && kase.ownerEmail && kase.ownerId) return [{ email: kase.ownerEmail, userId: kase.ownerId }]
  return (await listApprovers(tx)).map((u) => ({ email: u.email, userId: u.id }))
}

/** The org's executives (org_executives), each with their user id when they have an active account. */
async function executives(tx: Tx): Promise<StepRecipient[]> {
  return tx<StepRecipient[]>`
    select e.email, u.id as "userId"
    from org_executives e left join app_users u on u.email = e.email and u.disabled_at is null
    order by e.email`
}

export async function stepRecipients(tx: Tx, step: ChainCandidate['step'], kase: AlertCase): Promise<StepRecipient[]> {
  switch (step) {
    case 'at_risk':
    case 'cadence':
      return ownerOrApprovers(tx, kase)
    case 'approvers':
      return (await listApprovers(tx)).map((u) => ({ email: u.email, userId: u.id }))
    case 'executives':
      return executives(tx)
  }
}

/** The subject and lines of a step's mail (the same for each recipient but the link). */
export function stepText(c: ChainCandidate, kase: AlertCase, now: Date): { subject: string; lines: string[] } {
  const label = caseLabel(kase.number)
  const subject = oneLine(kase.subject, 80)
  const customer = kase.customerName || kase.customerEmail || 'unknown customer'
  const owned = kase.ownerActive && kase.ownerName
  const owner = owned ? `Owner: ${kase.ownerName}.` : 'Nobody owns it: assign an owner.'
  const due = localTime(c.deadline, now, kase.timeZone)
  const late = duration(now.getTime() - c.deadline.getTime())
  switch (c.step) {
    case 'at_risk':
      return {
        subject: `At risk: ${label} ${subject}`,
        lines: [
          owned
            ? `${label} (${kase.severity}), “${subject}”, which you own, is at risk.`
            : `${label} (${kase.severity}), “${subject}”, is at risk.`,
          `The ${c.clock} is due ${due}, in ${duration(c.deadline.getTime() - now.getTime())}.`,
          owned ? '' : owner,
        ],
      }
    case 'cadence':
      return {
        subject: `Update missed: ${label} ${subject}`,
        lines: [
          `The customer update on ${label} (${kase.severity}), “${subject}”, was due ${due} (${late} ago) and has not been sent.`,
          owned ? 'Draft the update and ask for approval.' : owner,
        ],
      }
    case 'approvers':
      return {
        subject: `Breached: ${label} ${subject}`,
        lines: [`The ${c.clock} on ${label} (${kase.severity}), “${subject}”, from ${customer}, was due ${due}: ${late} late.`, owner],
      }
    case 'executives':
      return {
        subject: `Escalated to you: ${label} ${subject}`,
        lines: [
          `The ${c.clock} on ${label} (${kase.severity}), “${subject}”, from ${customer}, was due ${due} and is ${late} late; nobody has acknowledged it.`,
          owner,
        ],
      }
  }
}
