import { describe, expect, it } from 'vitest'
import { nextAction, type NextActionFacts } from '../../src/cases/next-action.ts'

const me = '00000000-0000-4000-8000-000000000001'
const colleague = '00000000-0000-4000-8000-000000000002'
const at = (hhmm: string) => new Date(`2026-12-01T${hhmm}:00Z`)

/** A case as intake leaves it: new, unowned, no draft yet; each test changes what it is about. */
function facts(change: Partial<NextActionFacts> = {}): NextActionFacts {
  return {
    status: 'new',
    ownerId: null,
    ownerName: null,
    acknowledgedAt: null,
    firstResponseAt: null,
    nextUpdateDueAt: null,
    resolvedAt: null,
    closedAt: null,
    viewer: { id: me, canApprove: false },
    draft: { pending: false, current: null },
    approvals: { open: [], sends: [], viewerIsAuthor: false },
    ...change,
  }
}
const owned = { status: 'triaged', ownerId: me, ownerName: 'Me', acknowledgedAt: at('09:00') } as const
const draft = (version: number, more: { blocked?: boolean; approved?: boolean } = {}) => ({
  pending: false,
  current: { version, blocked: false, approved: false, ...more },
})

describe('the next action on a case', () => {
  it('an unowned case: assign an owner, with the assign form as the primary control', () => {
    expect(nextAction(facts())).toMatchObject({ kind: 'assign_owner', title: 'Assign an owner', control: { kind: 'assign' } })
    // Even with a draft ready: nobody is accountable yet, which comes first.
    expect(nextAction(facts({ draft: draft(1) })).kind).toBe('assign_owner')
  })

  it('the owner has not acknowledged: the owner is asked to; anyone else moves on to the reply', () => {
    const unacknowledged = { ...owned, acknowledgedAt: null }
    expect(nextAction(facts(unacknowledged))).toMatchObject({ kind: 'acknowledge', title: 'Acknowledge', control: { kind: 'acknowledge' } })
    expect(nextAction(facts({ ...unacknowledged, ownerId: colleague, draft: draft(1) })).kind).toBe('request_approval')
  })

  it('a draft is being written: nothing to press yet', () => {
    expect(nextAction(facts({ ...owned, draft: { pending: true, current: null } }))).toMatchObject({
      kind: 'draft_pending',
      control: null,
    })
  })

  it('a clean draft: request approval of that version; a blocked one: review the draft', () => {
    expect(nextAction(facts({ ...owned, draft: draft(2) }))).toMatchObject({
      kind: 'request_approval',
      title: 'Request approval',
      control: { kind: 'request_approval', version: 2 },
    })
    expect(nextAction(facts({ ...owned, draft: draft(1, { blocked: true }) }))).toMatchObject({
      kind: 'review_draft',
      title: 'Review the draft',
      control: { kind: 'jump', href: '#draft' },
    })
    expect(nextAction(facts({ ...owned }))).toMatchObject({ kind: 'write_draft', title: 'Review the draft' })
  })

  it('approval asked: waiting for the approvers since the ask; an approver who may decide is sent to approve', () => {
    const open = [
      { approverName: 'Sam Second', createdAt: at('10:00') },
      { approverName: 'ليلى حسن', createdAt: at('10:00') },
    ]
    const waiting = facts({ ...owned, status: 'awaiting_approval', draft: draft(1), approvals: { open, sends: [], viewerIsAuthor: false } })
    expect(nextAction(waiting)).toEqual({
      kind: 'awaiting_approval',
      title: 'Waiting for Sam Second, ليلى حسن',
      detail: expect.any(String),
      control: null,
      since: at('10:00'),
    })
    const approver = { ...waiting, viewer: { id: me, canApprove: true } }
    expect(nextAction(approver)).toMatchObject({ kind: 'approve', control: { kind: 'jump', href: '#approval' } })
    // Four eyes: the approver who wrote it waits like anyone else.
    expect(nextAction({ ...approver, approvals: { ...approver.approvals, viewerIsAuthor: true } }).kind).toBe('awaiting_approval')
  })

  it('the approved version is on its way, or failed', () => {
    const approved = { ...owned, status: 'awaiting_approval' as const, draft: draft(1, { approved: true }) }
    expect(
      nextAction(facts({ ...approved, approvals: { open: [], sends: [{ status: 'pending', version: 1 }], viewerIsAuthor: false } })),
    ).toMatchObject({ kind: 'sending', control: null })
    expect(
      nextAction(facts({ ...approved, approvals: { open: [], sends: [{ status: 'failed', version: 1 }], viewerIsAuthor: false } })),
    ).toMatchObject({
      kind: 'send_failed',
      control: { kind: 'jump', href: '#approval' },
    })
  })

  it('answered, with an update cadence: send an update by the next update deadline', () => {
    const responded = facts({
      ...owned,
      status: 'responded',
      firstResponseAt: at('11:00'),
      nextUpdateDueAt: at('13:00'),
      draft: draft(1, { approved: true }),
      approvals: { open: [], sends: [{ status: 'sent', version: 1 }], viewerIsAuthor: false },
    })
    expect(nextAction(responded)).toMatchObject({ kind: 'send_update', title: 'Send an update', due: at('13:00') })
    // A new version written for the update is the next thing to get approved.
    expect(nextAction({ ...responded, draft: draft(2) }).kind).toBe('request_approval')
  })

  it('answered, no update owed: confirm resolution (resolve, and the customer is asked to confirm)', () => {
    const done = facts({
      ...owned,
      status: 'in_progress',
      firstResponseAt: at('11:00'),
      draft: draft(1, { approved: true }),
      approvals: { open: [], sends: [{ status: 'sent', version: 1 }], viewerIsAuthor: false },
    })
    expect(nextAction(done)).toMatchObject({ kind: 'confirm_resolution', title: 'Confirm resolution', control: { kind: 'resolve' } })
    expect(nextAction({ ...done, status: 'waiting_customer' })).toMatchObject({ kind: 'waiting_customer', control: null })
  })

  it('resolved: the resolution notice goes through approval, then the customer confirms', () => {
    const resolved = facts({
      ...owned,
      status: 'resolved',
      resolvedAt: at('15:00'),
      firstResponseAt: at('11:00'),
      draft: draft(3),
      approvals: { open: [], sends: [{ status: 'sent', version: 2 }], viewerIsAuthor: false },
    })
    expect(nextAction(resolved).kind).toBe('request_approval')
    const notified = {
      ...resolved,
      draft: draft(3, { approved: true }),
      approvals: { ...resolved.approvals, sends: [{ status: 'sent', version: 3 }] },
    }
    expect(nextAction(notified)).toMatchObject({
      kind: 'awaiting_confirmation',
      title: 'Confirm resolution',
      since: at('15:00'),
      control: null,
    })
  })

  it('closed: nothing to do', () => {
    expect(nextAction(facts({ ...owned, status: 'closed', closedAt: at('16:00') }))).toMatchObject({ kind: 'closed', control: null })
  })
})
