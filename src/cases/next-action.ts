import type { CaseStatus } from './terms.ts'

/**
 * The one thing to do next on a case, for the person looking at it: the case page's bar says it
 * and holds its one primary control. Decided here, over the case's state, so the page never
 * guesses; test/cases/next-action.test.ts covers each state.
 */
export type NextActionKind =
  | 'assign_owner'
  | 'acknowledge'
  | 'draft_pending'
  | 'write_draft'
  | 'review_draft'
  | 'request_approval'
  | 'approve'
  | 'awaiting_approval'
  | 'sending'
  | 'send_failed'
  | 'send_update'
  | 'waiting_customer'
  | 'confirm_resolution'
  | 'awaiting_confirmation'
  | 'closed'

/**
 * What the bar's primary control is: a form of its own (assign, acknowledge, request approval,
 * resolve), a jump to the section where the work is, or nothing (someone else's turn).
 */
export type NextControl =
  | { kind: 'assign' }
  | { kind: 'acknowledge' }
  | { kind: 'request_approval'; version: number }
  | { kind: 'resolve' }
  | { kind: 'jump'; href: string; label: string }
  | null

export type NextAction = {
  kind: NextActionKind
  /** What to do, in a few words ("Assign an owner"); `due` and `since` are said after it by the page. */
  title: string
  /** Why, in one sentence. */
  detail: string
  control: NextControl
  /** "… by <due>" */
  due?: Date
  /** "… since <since>" */
  since?: Date
}

export type NextActionFacts = {
  status: CaseStatus
  ownerId: string | null
  ownerName: string | null
  acknowledgedAt: Date | null
  firstResponseAt: Date | null
  nextUpdateDueAt: Date | null
  resolvedAt: Date | null
  closedAt: Date | null
  viewer: { id: string; canApprove: boolean }
  draft: {
    /** A draft job is queued or running. */
    pending: boolean
    current: { version: number; blocked: boolean; approved: boolean } | null
  }
  approvals: {
    /** Open requests, oldest first. */
    open: { approverId?: string; approverName: string; createdAt: Date }[]
    /** Newest first. */
    sends: { status: string; version: number }[]
    /** The viewer wrote or edited the current version and may not approve it alone. */
    viewerIsAuthor: boolean
  }
}

const names = (list: string[]) => [...new Set(list)].join(', ')

export function nextAction(f: NextActionFacts): NextAction {
  if (f.status === 'closed') {
    return { kind: 'closed', title: 'Closed', detail: 'Nothing left to do. A new message from the customer reopens it.', control: null }
  }
  if (!f.ownerId) {
    return {
      kind: 'assign_owner',
      title: 'Assign an owner',
      detail: 'Nobody is accountable for this case yet, and its clock is running.',
      control: { kind: 'assign' },
    }
  }
  if (!f.acknowledgedAt && f.ownerId === f.viewer.id) {
    return {
      kind: 'acknowledge',
      title: 'Acknowledge',
      detail: 'You are the owner: tell the team you have it.',
      control: { kind: 'acknowledge' },
    }
  }

  const latestSend = f.approvals.sends[0]
  const current = f.draft.current
  const currentSent = Boolean(current && latestSend && latestSend.version === current.version)
  if (latestSend?.status === 'failed' && currentSent) {
    return {
      kind: 'send_failed',
      title: 'The approved reply did not go out',
      detail: 'Sending failed; see why, then edit or redraft and ask for approval again.',
      control: { kind: 'jump', href: '#approval', label: 'See what failed' },
    }
  }
  if ((latestSend?.status === 'pending' || latestSend?.status === 'sending') && currentSent) {
    return {
      kind: 'sending',
      title: 'Sending the approved reply',
      detail: `Version ${latestSend.version} is approved and on its way in the customer's thread.`,
      control: null,
    }
  }

  if (f.approvals.open.length) {
    const since = f.approvals.open[0]!.createdAt
    // The viewer is never among the people they are told to wait for.
    const others = names(f.approvals.open.filter((r) => r.approverId !== f.viewer.id).map((r) => r.approverName))
    if (f.viewer.canApprove && !f.approvals.viewerIsAuthor) {
      return {
        kind: 'approve',
        title: 'Approve the reply',
        detail: others ? `Waiting for ${others}; you can approve it here as well.` : 'You were asked to approve it.',
        control: { kind: 'jump', href: '#approval', label: 'Review and approve' },
      }
    }
    return {
      kind: 'awaiting_approval',
      title: `Waiting for ${others || 'an approver'}`,
      detail: 'Each approver was emailed a link; nothing is sent before one of them approves.',
      control: null,
      since,
    }
  }

  if (f.draft.pending) {
    return { kind: 'draft_pending', title: 'A draft is being written', detail: 'It appears below within a minute.', control: null }
  }
  // A version that is neither approved nor sent is the reply in the making.
  if (current && !current.approved) {
    if (current.blocked) {
      return {
        kind: 'review_draft',
        title: 'Review the draft',
        detail: `Version ${current.version} has something that blocks approval: edit or redraft it.`,
        control: { kind: 'jump', href: '#draft', label: 'Review the draft' },
      }
    }
    return {
      kind: 'request_approval',
      title: 'Request approval',
      detail: `Read version ${current.version} below; an approver must approve it before it goes out.`,
      control: { kind: 'request_approval', version: current.version },
    }
  }
  if (!f.firstResponseAt) {
    return {
      kind: 'write_draft',
      title: 'Review the draft',
      detail: 'No reply is drafted yet: write one, then ask for approval.',
      control: { kind: 'jump', href: '#draft', label: 'Write the reply' },
    }
  }
  if (f.status === 'resolved') {
    return {
      kind: 'awaiting_confirmation',
      title: 'Confirm resolution',
      detail: 'Waiting for the customer to confirm it is resolved; closing without their confirmation needs a reason.',
      control: null,
      since: f.resolvedAt ?? undefined,
    }
  }
  if (f.status === 'waiting_customer') {
    return {
      kind: 'waiting_customer',
      title: 'Waiting for the customer',
      detail: 'The resolution clock is paused until they answer.',
      control: null,
    }
  }
  if (f.nextUpdateDueAt) {
    return {
      kind: 'send_update',
      title: 'Send an update',
      detail: 'The customer is owed an update on the agreed cadence; draft it and ask for approval.',
      control: { kind: 'jump', href: '#draft', label: 'Draft the update' },
      due: f.nextUpdateDueAt,
    }
  }
  return {
    kind: 'confirm_resolution',
    title: 'Confirm resolution',
    detail: 'When the problem is fixed, resolve the case: the customer is asked to confirm.',
    control: { kind: 'resolve' },
  }
}
