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
  atRisk: CaseLine[]
  awaitingApproval: AwaitingApprovalLine[]
  unowned: CaseLine[]
  cadenceMissed: CaseLine[]
  failedSends: FailedSendLine[]
  preventionOverdue: PreventionLine[]
  yesterday: { date: string; firstResponses: FirstResponseFigure[]; overall: OverallFirstResponse; compliance: ComplianceFigure[] }
}
