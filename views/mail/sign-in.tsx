import { ButtonLink, MailDocument, Paragraph, renderMailHtml, type RenderedMail } from './layout.tsx'

export type SignInMail = { name: string; email: string; orgName: string; url: string; minutes: number }

/** One sign-in link for one organization (a person with access to several gets one mail each). */
export async function signInMail(m: SignInMail): Promise<RenderedMail> {
  const greeting = `Hello ${m.name || m.email},`
  const terms = `It works once and expires in ${m.minutes} minutes. If you did not ask for it, ignore this email.`
  const subject = `Sign in to Escalation Desk (${m.orgName})`
  const text = [greeting, '', `Use this link to sign in to ${m.orgName} on Escalation Desk:`, '', m.url, '', terms].join('\n')
  const html = await renderMailHtml(
    <MailDocument title={subject}>
      <Paragraph>{greeting}</Paragraph>
      <Paragraph>
        Use this link to sign in to <strong>{m.orgName}</strong> on Escalation Desk:
      </Paragraph>
      <Paragraph>
        <ButtonLink href={m.url}>Sign in to {m.orgName}</ButtonLink>
      </Paragraph>
      <Paragraph>{terms}</Paragraph>
    </MailDocument>,
  )
  return { subject, text, html }
}
