// What intake stores from an analysis: the new case (with what intake read and why, for the
// audit event and for corrections to be compared against), the message row, the raw copy's
// summary. Pure shaping: values longer than any real one are cut or dropped here.
import { systemActor, type Actor } from '../audit/audit.ts'
import type { NewCase } from '../cases/create.ts'
import type { Analysed } from './analyze.ts'
import type { RawSummary } from './queries.ts'
import { originalKey } from './threading.ts'

/** The stored raw message a row is made for. */
type Stored = { rawId: string; dedupeKey: string; provider: string; escalatedBy?: Actor }

/** The case a mail opens: what classify() read, and why, on the case and its audit event. */
export function newCaseFromMail(a: Analysed, d: Stored): NewCase {
  const { unwrapped, classification, mail } = a
  // An address quoted in a forward can be longer than any real one (320 characters), and the
  // customer's address is indexed: an impossible one is no address.
  const quotedEmail = classification.customer.email
  const customerEmail = quotedEmail && quotedEmail.length <= 320 ? quotedEmail : null
  const forwardedBy = classification.forwardedBy
  const subject = unwrapped.subject.trim() || mail.subject.trim() || '(no subject)'
  // Reply in the customer's own thread: to the original's Message-ID when the forward carried it
  // (an attached original, or In-Reply-To/References that the forwarding client kept).
  const replyTo = classification.dedupe.originalMessageId
  return {
    source: classification.source,
    customerEmail,
    customerName: classification.customer.name,
    forwardedBy,
    subject,
    summary: unwrapped.text.trim().slice(0, 2000),
    severity: classification.severity,
    // Why this severity; why this source is kept on the audit event (case.create details).
    severityReasons: classification.severityReasons,
    caseType: classification.type,
    externalRef: classification.externalRef,
    originalKey: originalKey(a),
    replyToMessageId: replyTo,
    replyReferences: unwrapped.depth === 0 ? [...mail.references, ...(mail.messageId ? [mail.messageId] : [])] : replyTo ? [replyTo] : [],
    channel: caseChannel(a),
    language: classification.language,
    executive: classification.executive
      ? {
          email: classification.executive.email,
          name: classification.executive.name,
          title: classification.executive.title,
          configured: classification.executive.configured,
          reason: classification.executive.reason,
        }
      : null,
    intake: intakeReading(a),
    openedAt: new Date(),
    audit: {
      actor: d.escalatedBy ?? systemActor,
      details: {
        via: d.provider,
        messageId: mail.messageId,
        rawId: d.rawId,
        source: classification.source,
        severity: classification.severity,
        sourceReasons: classification.sourceReasons,
        severityReasons: classification.severityReasons,
        ...(forwardedBy.length ? { forwardedBy } : {}),
        ...(classification.externalRef ? { externalRef: classification.externalRef } : {}),
        ...(d.escalatedBy ? { openedFromNotEscalation: classification.escalationReason } : {}),
      },
    },
  }
}

export function rawSummary(a: Analysed): RawSummary {
  const { mail, classification } = a
  return {
    from: mail.from?.email.toLowerCase().slice(0, 320) || null,
    name: mail.from?.name.slice(0, 200) || null,
    subject: (mail.subject || '(no subject)').slice(0, 300),
    kind: classification.noise?.kind ?? null,
  }
}

/** What intake read, kept on the case as it was: corrections are compared against it. */
export function intakeReading(a: Analysed) {
  const c = a.classification
  const model = c.model
  return {
    source: c.source,
    customer: c.customer,
    severity: c.severity,
    externalRef: c.externalRef,
    channel: c.channel,
    language: c.language,
    executive: c.executive
      ? { email: c.executive.email, name: c.executive.name, title: c.executive.title, configured: c.executive.configured }
      : null,
    reasons: a.summary.reasons,
    ...(model
      ? {
          model: model.ok
            ? { ok: true, model: model.model, fields: model.fields, disagreements: model.disagreements, dropped: model.dropped }
            : { ok: false, reason: model.reason, detail: model.detail },
        }
      : {}),
  }
}

/** The channel as the case stores it: an impossible address is no address. */
export function caseChannel(a: Analysed) {
  const channel = a.classification.channel
  if (!channel) return null
  const email = channel.email?.toLowerCase() ?? null
  return {
    kind: channel.kind,
    name: channel.name?.slice(0, 300) ?? null,
    email: email && email.length <= 320 ? email : null,
    reference: channel.reference?.slice(0, 200) ?? null,
  }
}

export function messageRow(a: Analysed, caseId: string, d: Stored) {
  const { mail } = a
  return {
    caseId,
    direction: 'inbound' as const,
    dedupeKey: d.dedupeKey,
    messageId: mail.messageId,
    inReplyTo: mail.inReplyTo,
    referenceIds: mail.references,
    fromEmail: mail.from?.email.toLowerCase() || null,
    fromName: mail.from?.name || null,
    toEmails: mail.to.map((t) => t.email.toLowerCase()).filter(Boolean),
    ccEmails: addresses(mail.cc),
    // For a forward: who the original was addressed and copied to, as the forward shows it.
    originalToEmails: a.unwrapped.depth > 0 ? addresses(a.unwrapped.originalTo) : [],
    originalCcEmails: a.unwrapped.depth > 0 ? addresses(a.unwrapped.originalCc) : [],
    subject: mail.subject || '(no subject)',
    textBody: mail.text,
    htmlBody: mail.html,
    rawId: d.rawId,
  }
}

/** Addresses as messages store them: lower case, within an address's length, at most 100. */
const addresses = (list: { email: string }[]) =>
  [...new Set(list.map((t) => t.email.toLowerCase()).filter((e) => e && e.length <= 320))].slice(0, 100)
