import { ButtonLink, MailDocument, Paragraph, renderMailHtml, type RenderedMail } from './layout.tsx'

export type InvitationMail = {
  invitee: { name: string; email: string }
  inviter: { name: string; email: string }
  orgName: string
  role: string
  url: string
  signInPage: string
  hours: number
}

const roleWords: Record<string, string> = {
  agent: 'an agent (you own and answer escalations)',
  approver: 'an approver (replies to customers wait for your approval)',
  admin: 'an admin (you set the organization up and manage its users)',
}

/** The mail that brings a new user their first, single-use sign-in link. */
export async function invitationMail(m: InvitationMail): Promise<RenderedMail> {
  const greeting = `Hello ${m.invitee.name || m.invitee.email},`
  const ask = `${m.inviter.name || m.inviter.email} added you to ${m.orgName} on Escalation Desk as ${roleWords[m.role] ?? m.role}.`
  const terms = `The link signs you in once and expires in ${m.hours} hours. Afterwards, ask for a new link at ${m.signInPage} with this address.`
  const subject = `You are invited to ${m.orgName} on Escalation Desk`
  const text = [greeting, '', ask, '', `Sign in: ${m.url}`, '', terms].join('\n')
  const html = await renderMailHtml(
    <MailDocument title={subject}>
      <Paragraph>{greeting}</Paragraph>
      <Paragraph>{ask}</Paragraph>
      <Paragraph>
        <ButtonLink href={m.url}>Sign in to {m.orgName}</ButtonLink>
      </Paragraph>
      <Paragraph>{terms}</Paragraph>
    </MailDocument>,
  )
  return { subject, text, html }
}
