import { ButtonLink, MailDocument, Paragraph, renderMailHtml } from './layout.tsx'

export type ApprovalInviteMail = {
  approver: { name: string; email: string }
  requester: { name: string; email: string }
  kase: { label: string; subject: string }
  orgName: string
  url: string
  expiresAt: Date
}

/** The mail that brings an approver their single-use link to one version of a reply. */
export async function approvalInviteMail(m: ApprovalInviteMail) {
  const greeting = `Hello ${m.approver.name || m.approver.email},`
  const ask = `${m.requester.name || m.requester.email} asks you to review the reply to ${m.kase.label} (“${m.kase.subject}”) for ${m.orgName} before it goes to the customer.`
  const terms = `The link is yours alone, works once, and expires ${m.expiresAt.toUTCString()}. Nothing is sent until you approve.`
  const subject = `Approval needed (${m.orgName}): ${m.kase.label} — ${m.kase.subject}`
  const text = [greeting, '', ask, '', `Review, edit, approve or reject: ${m.url}`, '', terms].join('\n')
  const html = await renderMailHtml(
    <MailDocument title={subject}>
      <Paragraph>{greeting}</Paragraph>
      <Paragraph>{ask}</Paragraph>
      <Paragraph>
        <ButtonLink href={m.url}>Review, edit, approve or reject</ButtonLink>
      </Paragraph>
      <Paragraph>{terms}</Paragraph>
    </MailDocument>,
  )
  return { subject, text, html }
}
