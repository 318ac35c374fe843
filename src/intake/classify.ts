import type { Address, ParsedMail } from './parse.ts'
import type { Unwrapped } from './unwrap.ts'

export type Source = 'ceo_inbox' | 'bbb' | 'lawyer' | 'regulator' | 'social' | 'direct'
export type Severity = 'SEV-1' | 'SEV-2' | 'SEV-3' | 'SEV-4'
export type CaseType = 'technical' | 'service' | 'business' | 'security' | 'compliance'
/** executiveForwarders: lower-case email addresses. */
export type OrgContext = { executiveForwarders: string[] }
export type Classification = {
  source: Source
  sourceReasons: string[]
  severity: Severity
  severityReasons: string[]
  type: CaseType
  externalRef: string | null
}

type Facts = { text: string; senders: Address[]; attachmentNames: string[]; executive: string | null; executiveRole: string }
type Found = { source: Source; reasons: string[]; externalRef: string | null }

// Customer mail can be long; every signal we look for sits in the first pages.
const MAX_TEXT = 100_000

export function classify(mail: ParsedMail, unwrapped: Unwrapped, org: OrgContext): Classification {
  const facts = gatherFacts(mail, unwrapped, org)
  const found = detectBbb(facts) ?? regulatorOrLawyer(facts) ?? detectSocial(facts) ?? detectExecutive(facts)
  const source = found ?? { source: 'direct' as const, reasons: ['no BBB, legal, regulator, social or executive signals'], externalRef: null }
  if (found && found.source !== 'ceo_inbox' && facts.executive) {
    source.reasons.push(`${facts.executiveRole} executive ${facts.executive}`)
  }
  const { severity, reasons } = rateSeverity(facts, source)
  return {
    source: source.source,
    sourceReasons: source.reasons,
    severity,
    severityReasons: reasons,
    type: caseType(facts, source.source),
    externalRef: source.externalRef,
  }
}

function gatherFacts(mail: ParsedMail, unwrapped: Unwrapped, org: OrgContext): Facts {
  const messages = flatten(mail)
  const text = [mail.subject, unwrapped.subject, unwrapped.note ?? '', ...messages.map((m) => `${m.subject}\n${m.text}`)]
    .join('\n')
    .slice(0, MAX_TEXT)
  const senders = [unwrapped.customer, ...unwrapped.forwardedBy, ...messages.map((m) => m.from)].filter(
    (a): a is Address => !!a && !!a.email,
  )
  const executives = new Set(org.executiveForwarders.map((e) => e.trim().toLowerCase()))
  const forwardedByExec = unwrapped.forwardedBy.find((a) => executives.has(a.email.toLowerCase()))
  const sentByExec = !forwardedByExec && mail.from && executives.has(mail.from.email.toLowerCase()) ? mail.from : null
  return {
    text,
    senders,
    attachmentNames: messages.flatMap((m) => m.attachments.map((a) => a.filename ?? '')).filter(Boolean),
    executive: (forwardedByExec ?? sentByExec)?.email.toLowerCase() ?? null,
    executiveRole: forwardedByExec ? 'forwarded by' : 'sent by',
  }
}

function flatten(mail: ParsedMail, depth = 0): ParsedMail[] {
  if (depth > 8) return [mail]
  return [mail, ...mail.attachedMessages.flatMap((m) => flatten(m, depth + 1))]
}

function domainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).toLowerCase()
}

function senderFrom(facts: Facts, test: (domain: string) => boolean): string | null {
  const hit = facts.senders.find((a) => test(domainOf(a.email)))
  return hit ? domainOf(hit.email) : null
}

function quote(m: RegExpMatchArray | null): string {
  return m ? `'${m[0].replace(/\s+/g, ' ').trim()}'` : ''
}

// ---- Sources: each detector needs more than a passing mention, because customers name the BBB,
// lawyers and regulators in threats; a threat raises severity, it does not change where mail came from.

// Every gap is a bounded run of one class: `\s*:?\s*#?\s*` let the engine split a long run of
// spaces between three quantifiers, cubic in its length (18 s for 4,000 spaces after "complaint no").
const BBB_REF = /\b(?:complaint|case)\s{0,10}(?:#|no\.?|number|id)[\s:#]{0,10}(\d{5,12})\b|\bID\s{0,10}#[\s:]{0,10}(\d{5,12})\b/i

function detectBbb(facts: Facts): Found | null {
  const domain = senderFrom(facts, (d) => d === 'bbb.org' || d.endsWith('.bbb.org'))
  const mention = facts.text.match(/\bbetter business bureau\b/i)
  const ref = facts.text.match(BBB_REF)
  const reasons: string[] = []
  if (domain) reasons.push(`BBB complaint notification from ${domain}`)
  else if (mention && ref && /\b(?:complaint|consumer)\b.{0,120}\b(?:filed|submitted|received)\b|\brespond\b/i.test(facts.text)) {
    reasons.push(`mentions ${quote(mention)} with a complaint number`)
  } else return null
  const number = ref ? (ref[1] ?? ref[2])! : null
  if (number) reasons.push(`complaint number ${number}`)
  return { source: 'bbb', reasons, externalRef: number ? `BBB-${number}` : null }
}

const AGENCIES: RegExp[] = [
  /\b(?:office of the )?(?:state )?attorney general\b/i,
  /\b(?:bureau of )?consumer protection(?: (?:division|bureau|section|unit|agency|office))?\b/i,
  /\bfederal trade commission\b|\bFTC\b/,
  /\bconsumer financial protection bureau\b|\bCFPB\b/,
  /\bombudsman\b/i,
  /\bdata protection (?:authority|commission(?:er)?)\b|\binformation commissioner\b|\bCNIL\b|\bsupervisory authority\b/i,
  /\bdepartment of (?:consumer affairs|insurance|financial services)\b/i,
  /\bpublic (?:utilities|service) commission\b/i,
]
const GOV_DOMAIN = (d: string) =>
  /(?:^|\.)(?:gov|gov\.[a-z]{2}|gc\.ca|europa\.eu|ico\.org\.uk|cnil\.fr|edpb\.europa\.eu)$/.test(d)
const OFFICIAL_LETTER = /\b(?:this office|our office (?:has )?received|we have received a complaint|complaint (?:was |has been )?filed with (?:this|our) office|please respond to this office)\b/i
const REF = /\b(?:file|case|complaint|reference|ref|matter)\.?\s{0,10}(?:no\.?|number|#|id)[\s:#.]{0,10}((?=[A-Z0-9._\/-]{0,40}\d)[A-Z0-9][A-Z0-9._\/-]{2,40})/i

function detectRegulator(facts: Facts): Found | null {
  const domain = senderFrom(facts, GOV_DOMAIN)
  const agency = AGENCIES.map((re) => facts.text.match(re)).find((m) => m)
  const official = facts.text.match(OFFICIAL_LETTER)
  // A government address alone is not enough: people who work there write ordinary mail too.
  if (!(agency && official) && !(domain && (agency || official))) return null
  const reasons: string[] = []
  if (domain) reasons.push(`sent from government domain ${domain}`)
  if (agency) reasons.push(`letter from ${quote(agency)}`)
  if (official) reasons.push(`official wording ${quote(official)}`)
  const ref = facts.text.match(REF)
  if (ref) reasons.push(`reference ${trimRef(ref[1]!)}`)
  return { source: 'regulator', reasons, externalRef: ref ? trimRef(ref[1]!) : null }
}

// Law firms also write "this office" and cite the attorney general; without a government sender,
// a letter that reads like a law firm's is the law firm's.
function regulatorOrLawyer(facts: Facts): Found | null {
  const regulator = detectRegulator(facts)
  if (regulator?.reasons[0]?.startsWith('sent from government domain')) return regulator
  return detectLawyer(facts) ?? regulator
}

const LAW_FIRM_SIGNALS: RegExp[] = [
  /\bcease and desist\b/i,
  /\bdemand letter\b|\b(?:formal|final) demand\b|\bthis letter (?:constitutes|serves as)\b/i,
  /\bon behalf of (?:our|my) client\b|\bour client\b|\bwe (?:represent|have been retained by)\b/i,
  /\battorneys? at law\b|\blaw (?:firm|offices?|group|chambers)\b|\bsolicitors\b/i,
  /\bEsq\.?(?=\W|$)/,
  /\bLLP\b|\bP\.?C\.?(?= {0,10}\n)|\bPLLC\b/,
  /\bwithout prejudice\b|\bpreserve all (?:documents|evidence)\b|\blitigation hold\b/i,
]
const MATTER_REF =
  /\b(?:our\s{1,10}ref(?:erence)?|your\s{1,10}ref(?:erence)?|matter\s{1,10}(?:no\.?|number|#|ref(?:erence)?)|re:\s{0,10}matter(?:\s{1,10}(?:no\.?|number|#))?|file\s{1,10}(?:no\.?|number|#))[\s:#.]{0,10}((?=[A-Z0-9._\/-]{0,40}\d)[A-Z0-9][A-Z0-9._\/-]{2,40})/i

function detectLawyer(facts: Facts): Found | null {
  const reasons = LAW_FIRM_SIGNALS.map((re) => facts.text.match(re)).filter((m) => m).map((m) => `mentions ${quote(m)}`)
  const letter = facts.attachmentNames.find((n) => /\.pdf$/i.test(n) && /letter|demand|notice|cease|legal|claim/i.test(n))
  if (letter) reasons.push(`PDF attachment '${letter}'`)
  const firm = senderFrom(facts, (d) => /(?:law|legal|llp|attorneys?|solicitors)/.test(d.split('.')[0] ?? ''))
  if (firm) reasons.push(`sender domain ${firm} looks like a law firm`)
  // One phrase is how customers talk; two independent signals are how law firms write.
  if (reasons.length < 2) return null
  const ref = facts.text.match(MATTER_REF)
  if (ref) reasons.push(`matter reference ${trimRef(ref[1]!)}`)
  return { source: 'lawyer', reasons, externalRef: ref ? trimRef(ref[1]!) : null }
}

const SOCIAL_DOMAINS = /(?:^|\.)(?:twitter\.com|x\.com|facebook\.com|facebookmail\.com|linkedin\.com|instagram\.com|tiktok\.com|reddit\.com|redditmail\.com|trustpilot\.com|youtube\.com|threads\.net)$/
const PLATFORMS: RegExp[] = [
  /\b(?:twitter|tweet(?:ed|s)?|x\.com|facebook|linkedin|instagram|tiktok|reddit|trustpilot|youtube|threads)\b/i,
  // Capital X only, after a preposition: "on X", "posted to X".
  /\b(?:on|to|via) X\b/,
]
const VIRAL =
  // A count starts only where a number starts (the lookbehind), and is bounded: tried at every
  // digit of a long run, `\d[\d,.]*` was quadratic in its length.
  /\b(?:going viral|gone viral|went viral|my (?:\d[\d,.]{0,15}k? )?followers|retweet(?:s|ed)?|(?<![\d,.])\d[\d,.]{0,15}k? (?:likes|views|retweets|reposts|shares|comments)|mentioned you|tagged you|trending|blowing up|(?:one|1)[- ]star review)\b/i

function detectSocial(facts: Facts): Found | null {
  const domain = senderFrom(facts, (d) => SOCIAL_DOMAINS.test(d))
  const platform = PLATFORMS.map((re) => facts.text.match(re)).find((m) => m) ?? null
  const viral = facts.text.match(VIRAL)
  if (!viral || (!domain && !platform)) return null
  const reasons = [domain ? `notification from ${domain}` : `mentions ${quote(platform)}`, `mentions ${quote(viral)}`]
  return { source: 'social', reasons, externalRef: null }
}

function detectExecutive(facts: Facts): Found | null {
  if (!facts.executive) return null
  return { source: 'ceo_inbox', reasons: [`${facts.executiveRole} executive ${facts.executive}`], externalRef: null }
}

function trimRef(ref: string): string {
  return ref.replace(/[._\/-]+$/, '')
}

// ---- Severity and type ----

const INJURY =
  /\b(?:injur(?:y|ies|ed)|hospitali[sz]ed|emergency room|ambulance|caught fire|burst into flames|exploded|explosion|electrocuted|electric shock|choking hazard|food poisoning|allergic reaction|safety hazard|severe burns?|burned (?:my|his|her|their)|scalded)\b/i
const EXPOSURE =
  /\b(?:data breach|security breach|(?:personal|customer|credit card|card|bank|medical|patient|private) (?:data|information|details|records) (?:was|were|has been|have been|is|are) (?:exposed|leaked|visible|published|stolen|compromised)|(?:leaked|exposed) (?:my|our|customer|personal|private)|can see (?:other|another) (?:customers?|users?|people)|someone else['’]s (?:account|data|invoice|order|information)|unauthori[sz]ed access|ransomware|(?:was|were|been) hacked)\b/i
const SECURITY = /\b(?:security (?:incident|issue|vulnerability|flaw)|vulnerabilit(?:y|ies)|phishing|account (?:was |been )?compromised|suspicious login|personal data|GDPR)\b/i
const LAWSUIT_FILED =
  /\b(?:(?:have|has|had) (?:filed|commenced|initiated) (?:a |an )?(?:lawsuit|suit|action|claim) against|lawsuit (?:has been|was) filed|filed (?:suit|a lawsuit|an action) (?:against|in)|summons and complaint|served with (?:a )?(?:summons|lawsuit)|(?:district|superior|county|circuit) court case)\b/i
const LEGAL_THREAT =
  /\b(?:legal action|take (?:legal )?action against|lawsuit|sue (?:you|your|the company)|suing|my (?:lawyer|attorney|solicitor)|legal counsel|small claims|class action|cease and desist|demand letter|(?:pursue|commence|begin|initiate) litigation|breach of contract)\b/i
const DEADLINE =
  /\b(?:within (?:\d{1,3}|three|five|seven|ten|fourteen|thirty) (?:business |calendar |working )?(?:days|hours)|no later than|by (?:close of business|end of (?:day|business|the week))|deadline|failing which)\b/i
const REGULATORY_THREAT = /\b(?:better business bureau|federal trade commission|attorney general|consumer protection|ombudsman|(?:report|complain)\w* (?:you |this |it )?to (?:the |a )?regulators?|data protection authority)\b/i
// Acronyms only in capitals: "ftc" or "bbb" in lower case is usually something else.
const REGULATOR_ACRONYM = /\b(?:BBB|FTC|CFPB)\b/
const MEDIA_THREAT =
  /\b(?:the press|to the media|(?:news|media) outlets?|journalists?|reporters?|local news|(?:go(?:ing)? to|contact(?:ing|ed)?) the news|go(?:ing)? public|newspapers?|tv station|going viral|gone viral|went viral|my (?:\d[\d,.]{0,15}k? )?followers|post (?:this|about (?:this|you|it)) (?:on|to)|(?:one|1)[- ]star reviews?|bad reviews? (?:on|everywhere))\b/i
const CHURN =
  /\b(?:cancel(?:l?ing|l?ed)? (?:my|our|the) (?:subscription|account|contract|service|plan|membership)|(?:switch|switching|move|moving) to (?:a |another )?(?:competitor|different (?:provider|vendor))|take (?:my|our) business elsewhere|(?:not|won['’]t|will not) (?:be )?renew(?:ing)?|terminate (?:our|the|my) (?:contract|agreement|subscription)|(?:other|alternative) (?:vendors|providers|suppliers)|close (?:my|our) account)\b/i
const REVENUE =
  /\$\s?\d{1,3}(?:,\d{3}){1,6}|\$\s?\d{1,15}(?:\.\d{1,15})?\s?(?:k|m|mm|million|thousand)\b|\b(?:ARR|annual contract|contract value|enterprise (?:customer|account|plan|contract)|(?:biggest|largest|top) (?:\d{1,6} )?(?:customers?|clients?|accounts?)|(?<![\d,])\d[\d,]{0,15} (?:seats|licen[cs]es))\b/
const BUSINESS = /\b(?:bill(?:ing|ed)?|invoice[sd]?|charged?|overcharg\w*|refund\w*|payments?|subscriptions?|contracts?|renewal|pric(?:e|ing)|discount|money back)\b/i
const TECHNICAL = /\b(?:outages?|downtime|(?:is|was|went|were|been) down|down again|not working|doesn['’]t work|broken|bugs?|errors?|crash(?:es|ed|ing)?|can(?:no|')t (?:log ?in|access|connect)|unable to (?:log ?in|access|connect)|latency)\b/i

function rateSeverity(facts: Facts, found: Found): { severity: Severity; reasons: string[] } {
  const t = facts.text
  const source = found.source
  const signals: [1 | 2 | 3, string][] = []
  const hit = (level: 1 | 2 | 3, re: RegExp, label: string) => {
    const m = t.match(re)
    if (m) signals.push([level, `${label} (${quote(m)})`])
    return !!m
  }
  hit(1, INJURY, 'injury or safety risk')
  hit(1, EXPOSURE, 'possible data exposure')
  if (source === 'regulator') {
    const who = found.reasons.find((r) => r.startsWith('letter from')) ?? found.reasons[0]
    signals.push([1, `regulator action: ${who}`])
  }
  hit(1, LAWSUIT_FILED, 'lawsuit filed')
  const legal = hit(2, LEGAL_THREAT, 'legal threat') || source === 'lawyer'
  if (source === 'lawyer') signals.push([2, 'letter from a law firm'])
  const media = hit(2, MEDIA_THREAT, 'media or public threat') || source === 'social'
  if (source === 'social') signals.push([2, 'public social-media post'])
  const deadline = t.match(DEADLINE)
  if (legal && media && deadline) signals.push([1, `legal threat with a deadline (${quote(deadline)}) and a media threat`])
  if (source === 'bbb') signals.push([2, 'BBB complaint'])
  else if (source !== 'regulator') {
    if (!hit(2, REGULATORY_THREAT, 'regulatory threat')) hit(2, REGULATOR_ACRONYM, 'regulatory threat')
  }
  const churn = t.match(CHURN)
  const revenue = t.match(REVENUE)
  if (facts.executive && churn && revenue) {
    signals.push([2, `executive escalation with churn (${quote(churn)}) and revenue (${quote(revenue)}) at stake`])
  } else if (churn) signals.push([3, `churn threat (${quote(churn)})`])
  if (facts.executive) signals.push([3, `escalated by executive ${facts.executive}`])
  if (signals.length === 0) return { severity: 'SEV-4', reasons: ['no safety, legal, regulatory, media, churn or executive signals'] }
  signals.sort((a, b) => a[0] - b[0])
  return { severity: `SEV-${signals[0]![0]}` as Severity, reasons: [...new Set(signals.map((s) => s[1]))] }
}

function caseType(facts: Facts, source: Source): CaseType {
  const t = facts.text
  if (EXPOSURE.test(t) || SECURITY.test(t)) return 'security'
  if (source === 'lawyer' || source === 'regulator' || LEGAL_THREAT.test(t) || LAWSUIT_FILED.test(t)) return 'compliance'
  if (CHURN.test(t) || BUSINESS.test(t)) return 'business'
  if (TECHNICAL.test(t)) return 'technical'
  return 'service'
}
