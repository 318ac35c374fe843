// A delivery report (RFC 3464) about a reply we sent: did the customer's server refuse it for
// good, or is it still trying? Read from the report's machine-readable part (Action, Status,
// Diagnostic-Code), else from the words of the human-readable part. The stored bytes are read
// line by line, bounded: a report is small, and nothing here can run long on hostile input.
import { recordAudit, systemActor } from '../audit/audit.ts'
import type { Tx } from '../db.ts'

export type DeliveryReport = {
  /** failed: refused for good; delayed: still being retried; delivered: a success notice. */
  action: 'failed' | 'delayed' | 'delivered' | null
  status: string | null
  diagnostic: string | null
  recipient: string | null
}

const SCAN_BYTES = 256 * 1024
const MAX_DIAGNOSTIC = 300

/** One header-like field of the report, with its folded continuation lines. */
function fieldValue(lines: string[], name: string): string | null {
  const prefix = `${name.toLowerCase()}:`
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.toLowerCase().startsWith(prefix)) continue
    let value = lines[i]!.slice(prefix.length)
    for (let j = i + 1; j < lines.length && /^[ \t]/.test(lines[j]!) && value.length < MAX_DIAGNOSTIC; j++) value += ` ${lines[j]!.trim()}`
    return value.replace(/\s+/g, ' ').trim()
  }
  return null
}

// Wording of the human-readable part when a report has no machine-readable one.
const REFUSED =
  /\b(?:could not be delivered|undeliverable|delivery (?:has )?failed|permanent(?:ly)? (?:error|failure)|user unknown|mailbox (?:unavailable|full)|address rejected|does not exist|unzustellbar|n'a pas pu être remis|non recapitabile|no se pudo entregar|kon niet worden bezorgd)\b/i
const DELAYED = /\b(?:delayed|still being retried|will (?:continue|keep) (?:trying|to try)|has not yet been delivered|verzögert|retardé)\b/i

// The per-recipient fields start after these; a "Status:" earlier is a mailbox header (mbox "RO").
const REPORT_START = /^(?:reporting-mta|final-recipient|original-recipient|arrival-date|received-from-mta)\s*:/i
// An SMTP reply with an enhanced status code, as the human-readable part quotes it.
const SMTP_REPLY = /\b[45]\d\d[ -][245]\.\d{1,3}\.\d{1,3}\b/

export function readDeliveryReport(raw: Uint8Array): DeliveryReport {
  const text = Buffer.from(raw.subarray(0, SCAN_BYTES)).toString('latin1')
  const all = text.split(/\r?\n/)
  const start = all.findIndex((l) => REPORT_START.test(l))
  const lines = start >= 0 ? all.slice(start) : []
  const actionField = fieldValue(lines, 'Action')?.toLowerCase() ?? null
  const status = fieldValue(lines, 'Status')
  const code = fieldValue(lines, 'Diagnostic-Code') ?? all.find((l) => l.length < 400 && SMTP_REPLY.test(l))?.trim() ?? null
  const recipient = fieldValue(lines, 'Final-Recipient')?.replace(/^rfc822;\s*/i, '') ?? null
  const action: DeliveryReport['action'] = actionField?.startsWith('failed')
    ? 'failed'
    : actionField?.startsWith('delayed')
      ? 'delayed'
      : actionField?.startsWith('delivered') || actionField?.startsWith('relayed') || actionField?.startsWith('expanded')
        ? 'delivered'
        : status?.startsWith('5')
          ? 'failed'
          : status?.startsWith('4')
            ? 'delayed'
            : DELAYED.test(text.slice(0, 8000))
              ? 'delayed'
              : REFUSED.test(text.slice(0, 8000))
                ? 'failed'
                : null
  // "smtp; 552 5.2.2 <a@b>: Recipient address rejected: Quota exceeded" reads better without the type.
  const diagnostic = (code?.replace(/^[\w-]+;\s*/, '') ?? (status ? `status ${status}` : null))?.slice(0, MAX_DIAGNOSTIC) ?? null
  return { action, status, diagnostic, recipient }
}

/** What the owner reads on the case and in the failed-send alert. */
export function bounceMessage(report: DeliveryReport): string {
  const why = report.diagnostic ?? 'no reason given'
  return `The customer's server refused the reply: ${why}`
}

/**
 * A final refusal of replies we sent: those outbox rows fail after the fact, audited, so the
 * case shows the failed send and the failed-send alert goes to the owner and the approvers.
 * Returns the rows it failed.
 */
export async function failBouncedReplies(
  tx: Tx,
  orgId: string,
  caseId: string,
  messageIds: string[],
  report: DeliveryReport,
  rawId: string,
): Promise<string[]> {
  if (report.action !== 'failed' || !messageIds.length) return []
  const error = bounceMessage(report)
  const failed = await tx<{ id: string }[]>`
    update outbox set status = 'failed', last_error = ${error}
    where case_id = ${caseId} and message_id = any(${messageIds}::text[]) and status = 'sent'
    returning id`
  for (const row of failed) {
    await recordAudit(tx, orgId, {
      actor: systemActor,
      action: 'email.fail',
      caseId,
      details: { outboxId: row.id, error, permanent: true, bounced: true, rawId },
    })
  }
  return failed.map((r) => r.id)
}
