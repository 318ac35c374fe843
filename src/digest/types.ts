import type {
  AwaitingApprovalLine,
  CaseLine,
  ComplianceFigure,
  DigestOrg,
  FailedSendLine,
  FirstResponseFigure,
  OverallFirstResponse,
  PreventionLine,
} from './queries.ts'

/** Everything one digest says: computed by digest.ts, counted by sections.ts, written by views/mail/digest.tsx. */
export type Digest = {
  org: DigestOrg
  now: Date
  breached: CaseLine[]
  /** At risk now: the queue's count at the same instant. */
  atRisk: CaseLine[]
  /** Not at risk yet, turning at risk within 24 hours. */
  turningAtRisk: CaseLine[]
  awaitingApproval: AwaitingApprovalLine[]
  unowned: CaseLine[]
  cadenceMissed: CaseLine[]
  failedSends: FailedSendLine[]
  preventionOverdue: PreventionLine[]
  yesterday: { date: string; firstResponses: FirstResponseFigure[]; overall: OverallFirstResponse; compliance: ComplianceFigure[] }
}
