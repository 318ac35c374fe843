import { caseLabel } from '../cases/terms.ts'
import { singleLine } from '../outbound/headers.ts'
import type { Mailer } from '../outbound/mailer.ts'
import { approvalInviteMail } from '../../views/mail/approval-invite.tsx'
import type { ApprovalInvite } from './requests.ts'

/** Mails each invited approver their own link (the caller sends after its response). */
export async function mailApprovalInvites(
  mailer: Mailer,
  orgId: string,
  requester: { name: string; email: string },
  kase: { number: number; subject: string },
  invites: ApprovalInvite[],
): Promise<void> {
  const label = caseLabel(kase.number)
  await Promise.all(
    invites.map(async (invite) =>
      mailer.send({
        orgId,
        to: invite.email,
        ...(await approvalInviteMail({
          approver: invite,
          requester,
          kase: { label, subject: singleLine(kase.subject) },
          orgName: invite.orgName,
          url: invite.url,
          expiresAt: invite.expiresAt,
        })),
        idempotencyKey: `approval/${invite.url.slice(-24)}`,
        tags: { kind: 'approval_request', case: label },
      }),
    ),
  )
}
