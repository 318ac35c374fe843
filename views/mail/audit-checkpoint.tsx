import type { AuditCheckpoint } from '../../src/audit/checkpoint.ts'
import { MailDocument, Paragraph, renderMailHtml, type RenderedMail } from './layout.tsx'

/**
 * A checkpoint of an org's audit trail, for an admin's mailbox: the record, outside the desk's
 * database, that these events existed. The JSON is the document `desk audit verify --against` reads.
 */
export async function auditCheckpointMail(checkpoint: AuditCheckpoint, orgName: string): Promise<RenderedMail> {
  const held = `The audit trail of ${orgName} (${checkpoint.org.slug}) held ${checkpoint.seq} events at ${checkpoint.takenAt}.`
  const why = [
    "Keep this message: it is the record, outside the desk's database, that those events existed.",
    'Anyone able to change the database could delete the newest events, but not this copy. To check',
    'the trail against it, save the JSON below to a file and run:',
  ]
  const command = `desk audit verify --org ${checkpoint.org.slug} --against FILE`
  const json = JSON.stringify(checkpoint, null, 2)
  const subject = `Audit checkpoint of ${orgName}: ${checkpoint.seq} events`
  const text = [held, '', ...why, '', `  ${command}`, '', json, ''].join('\n')
  const html = await renderMailHtml(
    <MailDocument title={subject}>
      <Paragraph>{held}</Paragraph>
      <Paragraph>{why.join(' ')}</Paragraph>
      <pre style="background:#fff;padding:8px 12px;border-radius:6px;white-space:pre-wrap">{command}</pre>
      <pre style="background:#fff;padding:8px 12px;border-radius:6px;white-space:pre-wrap;font-size:13px">{json}</pre>
    </MailDocument>,
  )
  return { subject, text, html }
}
