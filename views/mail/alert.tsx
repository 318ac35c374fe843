import { ButtonLink, MailDocument, mutedStyle, Paragraph, renderMailHtml, type RenderedMail } from './layout.tsx'

export type AlertMail = {
  subject: string
  /** What happened, one sentence a line (customer-written text included: escaped in the HTML). */
  lines: string[]
  caseLabel: string
  caseUrl: string
  orgName: string
  settingsUrl: string
}

/** An immediate alert about one case (a new SEV-1, a deadline at risk, a reply that failed). */
export async function alertMail(m: AlertMail): Promise<RenderedMail> {
  const text = [...m.lines, '', `Open the case: ${m.caseUrl}`, '', `${m.orgName} · alert settings: ${m.settingsUrl}`].join('\n')
  const html = await renderMailHtml(
    <MailDocument title={m.subject}>
      {m.lines.map((line) => (
        <Paragraph>{line}</Paragraph>
      ))}
      <Paragraph>
        <ButtonLink href={m.caseUrl}>Open {m.caseLabel}</ButtonLink>
      </Paragraph>
      <p style={mutedStyle}>
        {m.orgName} · <a href={m.settingsUrl}>alert settings</a>
      </p>
    </MailDocument>,
  )
  return { subject: m.subject, text, html }
}
