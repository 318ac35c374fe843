// The kind of case a message opens, for routing and reports: security when data is exposed,
// compliance for legal and regulatory matters, business for money and contracts, technical for
// outages and errors, service otherwise.
import type { CaseType, Source } from './classification.ts'

const BUSINESS =
  /\b(?:bill(?:ing|ed)?|invoice[sd]?|charged?|overcharg\w*|refund\w*|payments?|subscriptions?|membership|contracts?|renewal|pric(?:e|ing)|discount|money back|rechnung|erstattung|abbuchung|facture|rembours\w*|factura|reembolso|fattura|rimborso|factuur|terugbetaling|afschrijving)\b/i
const TECHNICAL =
  /\b(?:outages?|downtime|(?:is|was|went|were|been) down|not working|doesn['’]t work|bugs?|errors?|crash(?:es|ed|ing)?|can(?:no|')t (?:log ?in|access|connect)|unable to (?:log ?in|access|connect)|latency|fehler|erreur|errore|storing)\b/i

export function caseType(text: string, source: Source, severityReasons: string[]): CaseType {
  if (severityReasons.some((r) => r.startsWith('data exposure'))) return 'security'
  if (source === 'lawyer' || source === 'regulator' || severityReasons.some((r) => r.startsWith('legal threat') || r.startsWith('lawsuit')))
    return 'compliance'
  if (severityReasons.some((r) => r.startsWith('churn')) || BUSINESS.test(text)) return 'business'
  if (TECHNICAL.test(text)) return 'technical'
  return 'service'
}
