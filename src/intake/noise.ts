// Mail that is not an escalation by itself: auto-replies (RFC 3834), delivery and read reports
// (RFC 3464, RFC 8098), bulk and list mail (RFC 2369, RFC 2919), calendar invitations, system
// notifications and other companies' ticket acknowledgements. Headers first, wording second.
import type { ParsedMail } from './parse.ts'
import { isOrgAddress, type OrgContext } from './org-context.ts'
import { excerpt, flat } from './text.ts'
import { anyStem } from './words.ts'

export type NoiseKind = 'auto_reply' | 'delivery_report' | 'read_receipt' | 'bulk' | 'automated' | 'calendar' | 'ticket_acknowledgement'
/** `overridable`: the message may still carry a complaint (a platform's notice of a review). */
export type Noise = { kind: NoiseKind; reason: string; overridable: boolean }

const header = (mail: ParsedMail, key: string) => mail.headers.find((h) => h.key === key)?.value.trim() ?? null

export function detectNoise(mail: ParsedMail, org: OrgContext): Noise | null {
  return report(mail) ?? autoReply(mail) ?? calendar(mail) ?? ticketAcknowledgement(mail) ?? bulk(mail, org) ?? automated(mail)
}

function report(mail: ParsedMail): Noise | null {
  const type = header(mail, 'content-type') ?? ''
  if (/multipart\/report/i.test(type) && /report-type\s*=\s*"?disposition-notification/i.test(type)) {
    return { kind: 'read_receipt', reason: 'a read receipt (multipart/report, disposition-notification)', overridable: false }
  }
  if (/multipart\/report/i.test(type) || mail.attachments.some((a) => /^message\/(?:global-)?delivery-status$/i.test(a.mimeType))) {
    return { kind: 'delivery_report', reason: 'a delivery status report (multipart/report, message/delivery-status)', overridable: false }
  }
  const from = mail.from?.email.toLowerCase() ?? ''
  if (
    /^(?:mailer-daemon|postmaster|mail-daemon|mailerdaemon)@/.test(from) ||
    /mail delivery (?:system|subsystem)/i.test(mail.from?.name ?? '')
  ) {
    return { kind: 'delivery_report', reason: `a delivery report from ${from || mail.from?.name}`, overridable: false }
  }
  if (
    UNDELIVERABLE_SUBJECT.test(mail.subject) &&
    (header(mail, 'auto-submitted') ||
      header(mail, 'x-ms-exchange-generated-message-source') ||
      /^(?:microsoft ?outlook|exchange)/i.test(mail.from?.name ?? ''))
  ) {
    return { kind: 'delivery_report', reason: `a non-delivery report ('${excerpt(mail.subject, 60)}')`, overridable: false }
  }
  return null
}

const UNDELIVERABLE_SUBJECT =
  /^(?:undeliverable|undelivered mail|delivery status notification|delivery failure|mail delivery failed|returned mail|failure notice|unzustellbar|nicht zustellbar|non remis|non distribuable|no se puede entregar|non recapitabile|onbestelbaar|kan niet worden bezorgd)\b/i

// RFC 3834 and what clients write instead of it: the subject prefixes mail clients put on an
// automatic reply, in the languages of the EU/EEA and the UK/US/AU/CA/IE, BR.
const AUTO_REPLY_SUBJECT = new RegExp(
  `^(?:${[
    String.raw`automatic reply`,
    String.raw`auto(?:matic)?[- ]?(?:reply|response)`,
    'autoreply',
    'auto:',
    String.raw`out of (?:the )?office`,
    String.raw`ooo\b`,
    String.raw`vacation (?:reply|response)`,
    'automatische antwort',
    'abwesenheitsnotiz',
    'abwesend',
    'abwesenheit',
    'urlaubsantwort',
    String.raw`r[ée]ponse automatique`,
    String.raw`r[ée]ponse d'absence`,
    'absence du bureau',
    String.raw`respuesta autom[áa]tica`,
    'fuera de la oficina',
    'ausente',
    'risposta automatica',
    'fuori sede',
    'fuori ufficio',
    'automatisch antwoord',
    'afwezig',
    String.raw`resposta autom[áa]tica`,
    String.raw`aus[êe]ncia`,
    'autosvar',
    'automatiskt svar',
    String.raw`fr[åa]nvaro`,
    'automatisk svar',
    String.raw`frav[æa]r`,
    'automatisk melding',
    'automaattinen vastaus',
    'poissa toimistolta',
    String.raw`odpowied[źz] automatyczna`,
    String.raw`automatyczna odpowied[źz]`,
    String.raw`nieobecno[śs][ćc]`,
    String.raw`automatick[áa] odpov[ěe][ďd]`,
    String.raw`mimo kancel[áa][řr]`,
    String.raw`nep[řr][íi]tomnost`,
    String.raw`automatick[áa] odpove[ďd]`,
    String.raw`mimo kancel[áa]rie`,
    String.raw`automatikus v[áa]lasz`,
    String.raw`h[ia]v[ae]tal[oa]n k[íi]v[üu]l`,
    String.raw`r[ăa]spuns automat`,
    String.raw`absen[țt][ăa]`,
    String.raw`αυτόματη απάντηση`,
    String.raw`автоматичен отговор`,
    String.raw`automatski odgovor`,
    String.raw`samodejni odgovor`,
    String.raw`automaatvastus`,
    String.raw`autom[āa]tiskā atbilde`,
    String.raw`automatinis atsakymas`,
    String.raw`sj[áa]lfvirkt svar`,
  ].join('|')})`,
  'iu',
)
// What an out-of-office reply says about its author, in the same languages.
const OUT_OF_OFFICE = anyStem([
  String.raw`out of (?:the )?office`,
  String.raw`I am (?:currently )?(?:away|out|travelling|traveling|on (?:annual )?leave)`,
  String.raw`I'?m (?:currently )?(?:away|out of|travelling|traveling|on leave)`,
  String.raw`on (?:annual |parental )?leave until`,
  String.raw`limited access to (?:my )?e-?mail`,
  'im urlaub',
  String.raw`nicht im b[üu]ro`,
  String.raw`au[ßs]er haus`,
  'abwesend',
  'in den ferien',
  String.raw`je suis absente?`,
  String.raw`en cong[ée]s?`,
  'hors du bureau',
  String.raw`estar[ée] fuera`,
  'fuera de la oficina',
  'de vacaciones',
  String.raw`sono (?:in ferie|fuori (?:sede|ufficio)|assente)`,
  'ik ben afwezig',
  'met vakantie',
  'niet op kantoor',
  String.raw`estou (?:de f[ée]rias|ausente|fora do escrit[óo]rio)`,
  String.raw`fora do escrit[óo]rio`,
  String.raw`jag [äa]r (?:ledig|p[åa] semester|borta|tj[äa]nstledig)`,
  String.raw`p[åa] semester`,
  String.raw`fr[åa]nvarande`,
  String.raw`ikke p[åa] kontoret`,
  String.raw`jeg er (?:p[åa] ferie|p[åa] barsel|fraværende|ikke p[åa] kontoret)`,
  String.raw`(?:jeg|jag) (?:er|är) tilbak?e? (?:p[åa] kontoret|igjen|igen|den|\d)`,
  String.raw`olen (?:lomalla|poissa)`,
  String.raw`en lue s[äa]hk[öo]postia`,
  String.raw`jestem (?:na urlopie|poza biurem|nieobecn[ya])`,
  String.raw`jsem (?:mimo kancel[áa][řr]|na dovolen[ée]|nep[řr][íi]tomn[ýáa])`,
  String.raw`som (?:mimo kancel[áa]rie|na dovolenke|nepr[íi]tomn[ýá])`,
  String.raw`szabads[áa]gon vagyok`,
  String.raw`nem vagyok (?:az )?irod[áa]ban`,
  String.raw`sunt [îi]n concediu`,
  String.raw`lipsesc din birou`,
  String.raw`είμαι εκτός γραφείου`,
  String.raw`sem na dopustu`,
  String.raw`odsoten`,
  'olen puhkusel',
])

// Reply prefixes: Re, AW, SV, Antw, R, Rif, RES (pt), Odp (pl), Odp/Re (cs), VS (fi), Vá (hu), Απ (el).
const REPLY_PREFIX = /^\s*(?:re|aw|sv|antw|r|rif|res|odp|vs|v[áa]|ynt|απ|отг)\s*:/iu

function autoReply(mail: ParsedMail): Noise | null {
  const submitted = header(mail, 'auto-submitted')
  if (submitted && /^auto-replied/i.test(submitted))
    return { kind: 'auto_reply', reason: `Auto-Submitted: ${excerpt(submitted, 40)} (RFC 3834)`, overridable: false }
  for (const key of ['x-autoreply', 'x-autorespond', 'x-autoresponder']) {
    const value = header(mail, key)
    if (value && !/^no$/i.test(value)) return { kind: 'auto_reply', reason: `${key}: ${excerpt(value, 30)}`, overridable: false }
  }
  const precedence = header(mail, 'precedence')
  if (precedence && /^auto[_-]?reply$/i.test(precedence))
    return { kind: 'auto_reply', reason: `Precedence: ${precedence}`, overridable: false }
  if (AUTO_REPLY_SUBJECT.test(mail.subject))
    return { kind: 'auto_reply', reason: `the subject says it is an automatic reply ('${excerpt(mail.subject, 60)}')`, overridable: false }
  // A short answer to something we sent that says its author is away.
  const opening = flat(mail.text, 700)
  const ooo = opening.match(OUT_OF_OFFICE)
  if (ooo && (mail.inReplyTo || REPLY_PREFIX.test(mail.subject)) && mail.text.trim().length < 1500) {
    return { kind: 'auto_reply', reason: `an out-of-office reply ('${excerpt(ooo[0], 50)}')`, overridable: false }
  }
  return null
}

function calendar(mail: ParsedMail): Noise | null {
  const type = header(mail, 'content-type') ?? ''
  const invite = /^text\/calendar/i.test(type) || mail.attachments.some((a) => /^(?:text|application)\/(?:calendar|ics)$/i.test(a.mimeType))
  return invite ? { kind: 'calendar', reason: 'a calendar invitation (text/calendar)', overridable: false } : null
}

const ACK_WORDING =
  /\b(?:your (?:request|ticket|case|enquiry|inquiry)(?: \(?#?\w{1,20}\)?)? has been (?:received|created|logged)|we(?:'ve| have) received your (?:request|ticket|message|enquiry|inquiry|e-?mail)|(?:ihr|ihre) (?:ticket|anfrage|nachricht)(?: #?\w{1,20})?(?: \(.{0,80}\))? (?:ist )?(?:bei uns )?(?:erhalten|eingegangen)|wir haben ihr(?:e)? (?:ticket|anfrage|nachricht)(?: #?\w{1,20})?(?: \(.{0,80}\))? erhalten|votre (?:demande|ticket|message) (?:n° ?\w{1,20} )?a (?:bien )?été (?:reçue?|enregistrée?)|hemos recibido su (?:solicitud|consulta|mensaje|ticket)|abbiamo ricevuto la (?:sua|tua) (?:richiesta|segnalazione)|we hebben uw (?:verzoek|vraag|bericht|ticket) ontvangen)/i
const ACK_SUBJECT =
  /\b(?:ticket|request|case|anfrage|demande|solicitud|richiesta)\s*#?\s*\w{1,20}\s*(?:received|erhalten|eingegangen|reçue?|recibida|ricevuta|ontvangen|created|opened)\b|\[(?:ticket|request|case)\s*#?\s*\w{1,20}\]/i
const HELPDESK = /zendesk|freshdesk|helpscout|help ?scout|servicenow|kayako|zoho ?desk|intercom|hubspot|jira service|gorgias|kustomer/i

/** Another company's helpdesk saying it got our mail: a machine, not a person complaining. */
function ticketAcknowledgement(mail: ParsedMail): Noise | null {
  const wording = flat(mail.text, 1800).match(ACK_WORDING)
  if (!wording) return null
  const machine =
    !!header(mail, 'auto-submitted') ||
    ACK_SUBJECT.test(mail.subject) ||
    HELPDESK.test(header(mail, 'x-mailer') ?? '') ||
    HELPDESK.test(mail.messageId ?? '') ||
    /##- ?please type your reply above this line ?-##/i.test(mail.text)
  return machine
    ? {
        kind: 'ticket_acknowledgement',
        reason: `another system's ticket acknowledgement ('${excerpt(wording[0], 60)}')`,
        overridable: false,
      }
    : null
}

const ESP_HEADERS = [
  'x-campaign',
  'x-campaignid',
  'x-campaign-id',
  'x-mailchimp-campaign',
  'x-mc-user',
  'x-sib-id',
  'x-mailjet-campaign',
  'x-newsletter',
  'x-listmember',
  'x-cmail-groupid',
]
const ESP_MAILERS =
  /mailchimp|campaign monitor|sendinblue|brevo|klaviyo|constant contact|mailjet|hubspot|marketo|emarsys|rapidmail|cleverreach|newsletter2go|acoustic|salesforce marketing/i

/** RFC 2369/2919 list headers, Precedence: bulk/list/junk, and bulk senders' own headers. */
function bulk(mail: ParsedMail, org: OrgContext): Noise | null {
  // Our own groups (a Google Group of the org) redistribute people's mail with list headers;
  // what a person wrote to our group is a person's mail.
  const listId = header(mail, 'list-id') ?? ''
  const sender = header(mail, 'sender') ?? ''
  const ownList = org.domains.some((d) => listId.toLowerCase().includes(d)) || isOrgAddress(org, sender.replace(/^.*<|>.*$/g, ''))
  if (ownList) return null
  const precedence = header(mail, 'precedence')
  if (precedence && /^(?:bulk|list|junk)$/i.test(precedence))
    return { kind: 'bulk', reason: `Precedence: ${precedence}`, overridable: true }
  if (header(mail, 'list-unsubscribe')) return { kind: 'bulk', reason: 'bulk mail (List-Unsubscribe)', overridable: true }
  if (listId) return { kind: 'bulk', reason: `mailing-list mail (List-Id: ${excerpt(listId, 50)})`, overridable: true }
  const esp = ESP_HEADERS.find((h) => header(mail, h))
  if (esp) return { kind: 'bulk', reason: `bulk mail (${esp} header)`, overridable: true }
  if (ESP_MAILERS.test(header(mail, 'x-mailer') ?? ''))
    return { kind: 'bulk', reason: `bulk mail (X-Mailer: ${excerpt(header(mail, 'x-mailer')!, 40)})`, overridable: true }
  return null
}

/** Auto-Submitted: auto-generated, or a mail server's own notice (quota, rules). */
function automated(mail: ParsedMail): Noise | null {
  const generated = header(mail, 'x-ms-exchange-generated-message-source')
  if (generated) return { kind: 'automated', reason: `a system notification (${excerpt(generated, 40)})`, overridable: true }
  const submitted = header(mail, 'auto-submitted')
  if (submitted && !/^no$/i.test(submitted))
    return { kind: 'automated', reason: `Auto-Submitted: ${excerpt(submitted, 40)} (RFC 3834)`, overridable: true }
  return null
}

/**
 * The Message-IDs an automatic message answers or returns: its In-Reply-To and References, and
 * for a delivery report the returned message's own id and thread. The desk attaches the report
 * to the case that has one of them.
 */
export function referencedMessageIds(mail: ParsedMail): string[] {
  const ids = [mail.inReplyTo, ...mail.references]
  for (const returned of [...mail.attachedMessages, ...mail.returnedHeaders]) {
    ids.push(returned.messageId, returned.inReplyTo, ...returned.references)
  }
  return [...new Set(ids.filter((id): id is string => !!id))].slice(0, 50)
}
