import { ButtonLink, MailDocument, mutedStyle, Paragraph, renderMailHtml, type RenderedMail } from './layout.tsx'

export type AlertMail = {
  subject: string
  /** What happened, one sentence a line (customer-written text included: escaped in the HTML). */
  lines: string[]
  caseLabel: string
  caseUrl: string
  orgName: string
  settingsUrl: string
  /** An escalation step's signed "I'm on it" link, this recipient's own. */
  ackUrl?: string
}

/** An immediate alert about one case (a new SEV-1, a reply that failed, an escalation step of a clock running down). */
export async function alertMail(m: AlertMail): Promise<RenderedMail> {
  const ack = m.ackUrl ? ['', `I'm on it (stops the next alerts about this deadline): ${m.ackUrl}`] : []
  const text = [...m.lines, ...ack, '', `Open the case: ${m.caseUrl}`, '', `${m.orgName} · alert settings: ${m.settingsUrl}`].join('\n')
  const html = await renderMailHtml(
    <MailDocument title={m.subject}>
      {m.lines.map((line) => (
        <Paragraph>{line}</Paragraph>
      ))}
      {m.ackUrl ? (
        <Paragraph>
          <ButtonLink href={m.ackUrl}>I'm on it</ButtonLink> <span style={mutedStyle}>stops the next alerts about this deadline</span>
        </Paragraph>
      ) : null}
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
