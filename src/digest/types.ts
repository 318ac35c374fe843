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
import type { RecoveryCheckLine, RecoveryLine } from '../recovery/digest-lines.ts'
import type { RedFlagLine } from '../playbook/digest-lines.ts'

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
  /** Open cases whose internal stakeholder update is overdue (src/warroom/cadence.ts). */
  internalMissed?: CaseLine[]
  failedSends: FailedSendLine[]
  preventionOverdue: PreventionLine[]
  /** Recovery promises past their due date, and relationships due their 90-day check (src/recovery). */
  recoveryOverdue?: RecoveryLine[]
  recoveryChecksDue?: RecoveryCheckLine[]
  /** Cases raising any of the playbook's red flags (src/playbook/red-flags.ts). */
  redFlags?: RedFlagLine[]
  yesterday: { date: string; firstResponses: FirstResponseFigure[]; overall: OverallFirstResponse; compliance: ComplianceFigure[] }
}
