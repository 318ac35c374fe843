// AI extraction on top of the rules, never instead of them. With an OpenAI key, the model reads
// the message's text (nothing else) and says what it sees: escalation or not, source, customer,
// reference, severity with reasons. The rules have always run; where the two disagree, the
// analysis carries both and the case keeps the rules' values. An address the model gives that
// is not in the message is dropped: a model never invents where a reply goes. Network I/O, so
// this runs after the isolated parse worker, with a strict timeout; every failure is a value.
import OpenAI from 'openai'
import { zodResponseFormat } from 'openai/helpers/zod'
import type { Env } from '../env.ts'
import type { Analysed } from './analyze.ts'
import { modelExtractionSchema, type ModelExtraction, type ModelFields } from './model-extraction.ts'
import { isNoReplyAddress, isOrgAddress, type OrgContext } from './org-context.ts'

export type ModelEnv = Pick<Env, 'OPENAI_API_KEY' | 'OPENAI_BASE_URL' | 'OPENAI_MODEL' | 'OPENAI_TIMEOUT_MS' | 'OPENAI_MAX_RETRIES'>

// The model's deadline for intake: a message is never held up for long by it.
const MAX_TIMEOUT_MS = 8_000
const MAX_TEXT = 12_000

const instructions = `You read one email that reached a company's escalations desk and report facts about it as JSON.
Sources: bbb (a Better Business Bureau notice), regulator (CFPB, a state attorney general, an ombudsman, a data-protection authority, a consumer-affairs body), lawyer (a letter from counsel for a client, or a lawsuit served), social (a public post or review, a platform's notice of one, a colleague's report of one, a journalist's inquiry), ceo_inbox (a customer's mail that reached an executive), direct (anything else).
Severity: SEV-1 service down now, data loss or exposure, breach or account takeover, safety risk or injury, lawsuit filed or served. SEV-2 lawyer's letter or explicit legal threat, a complaints body's notice, public exposure (press, viral post, creator audience, threat to go to the media), major feature broken for many users, business revenue at risk with churn raised to an executive. SEV-3 complaint that reached an executive, churn threat, degraded service. SEV-4 minor and direct.
The customer of a notice is the consumer it names; of a lawyer's letter, the client; a colleague of the company is never the customer. Copy names, addresses and references exactly as written; never guess one.`

/** Asks the model; the rules' analysis is the input and stays the floor. Never throws. */
export async function extractWithModel(env: ModelEnv, analysis: Analysed, org: OrgContext): Promise<ModelExtraction> {
  const started = Date.now()
  const ms = () => Date.now() - started
  if (!env.OPENAI_API_KEY) return { ok: false, reason: 'api_error', detail: 'OPENAI_API_KEY is not set', ms: 0 }
  const client = new OpenAI({
    apiKey: env.OPENAI_API_KEY,
    baseURL: env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1',
    organization: null,
    project: null,
    timeout: Math.min(env.OPENAI_TIMEOUT_MS, MAX_TIMEOUT_MS),
    maxRetries: 0,
  })
  try {
    const completion = await client.chat.completions.parse({
      model: env.OPENAI_MODEL,
      messages: [
        { role: 'system', content: instructions },
        { role: 'user', content: messageText(analysis) },
      ],
      response_format: zodResponseFormat(modelExtractionSchema, 'intake_extraction'),
    })
    const message = completion.choices[0]?.message
    if (message?.refusal) return { ok: false, reason: 'refusal', detail: message.refusal.slice(0, 300), ms: ms() }
    if (!message?.parsed) return { ok: false, reason: 'invalid_output', detail: 'the answer had no content', ms: ms() }
    const { fields, dropped } = withoutInventedAddress(message.parsed, analysis, org)
    return {
      ok: true,
      model: completion.model || env.OPENAI_MODEL,
      ms: ms(),
      fields,
      disagreements: disagreements(fields, analysis),
      dropped,
    }
  } catch (error) {
    if (error instanceof OpenAI.APIConnectionTimeoutError) return { ok: false, reason: 'timeout', detail: 'no answer in time', ms: ms() }
    if (error instanceof OpenAI.APIError)
      return { ok: false, reason: 'api_error', detail: `HTTP ${error.status ?? '?'}: ${error.message}`.slice(0, 300), ms: ms() }
    return { ok: false, reason: 'invalid_output', detail: String((error as Error)?.message ?? error).slice(0, 300), ms: ms() }
  }
}

/** The message's own words: subjects, the forwarders' notes and the original. No headers. */
function messageText(a: Analysed): string {
  const parts = [
    `Subject: ${a.mail.subject}`,
    a.unwrapped.note ?? '',
    a.unwrapped.subject !== a.mail.subject ? `Original subject: ${a.unwrapped.subject}` : '',
    a.unwrapped.text,
  ]
  return parts.filter(Boolean).join('\n\n').slice(0, MAX_TEXT)
}

function withoutInventedAddress(fields: ModelFields, a: Analysed, org: OrgContext): { fields: ModelFields; dropped: string[] } {
  const email = fields.customerEmail?.trim().toLowerCase() ?? null
  if (!email) return { fields, dropped: [] }
  const written = [
    a.mail.text,
    a.unwrapped.text,
    a.unwrapped.note ?? '',
    a.mail.from?.email ?? '',
    ...a.mail.replyTo.map((r) => r.email),
    a.unwrapped.customer?.email ?? '',
  ]
    .join('\n')
    .toLowerCase()
  const why = !written.includes(email)
    ? `${email} is not in the message`
    : isOrgAddress(org, email)
      ? `${email} is an address of the org`
      : isNoReplyAddress(email)
        ? `${email} is a no-reply address`
        : null
  return why ? { fields: { ...fields, customerEmail: null }, dropped: [why] } : { fields: { ...fields, customerEmail: email }, dropped: [] }
}

function disagreements(fields: ModelFields, a: Analysed): { field: string; rules: unknown; model: unknown }[] {
  const c = a.classification
  const norm = (v: string | null | undefined) => (v ?? '').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '')
  const out: { field: string; rules: unknown; model: unknown }[] = []
  const compare = (field: string, rules: unknown, model: unknown, same: boolean) => {
    if (!same) out.push({ field, rules, model })
  }
  compare('isEscalation', c.isEscalation, fields.isEscalation, c.isEscalation === fields.isEscalation)
  compare('source', c.source, fields.source, c.source === fields.source)
  compare('customer.name', c.customer.name, fields.customerName, norm(c.customer.name) === norm(fields.customerName))
  compare('customer.email', c.customer.email, fields.customerEmail, norm(c.customer.email) === norm(fields.customerEmail))
  compare(
    'externalRef',
    c.externalRef,
    fields.reference,
    !!c.externalRef === !!fields.reference && (!c.externalRef || norm(c.externalRef).endsWith(norm(fields.reference))),
  )
  compare('severity', c.severity, fields.severity, c.severity === fields.severity)
  return out
}

/**
 * The analysis with the model's view attached. The rules' values stay the case's values; the
 * model fills only what the rules left empty and the message itself shows: a name or a
 * reference written in the text. Addresses always come from the rules.
 */
export function withModelExtraction(a: Analysed, extraction: ModelExtraction): Analysed {
  const classification = { ...a.classification, model: extraction }
  if (extraction.ok) {
    const text = `${a.mail.subject}\n${a.unwrapped.subject}\n${a.unwrapped.text}`.toLowerCase()
    const name = extraction.fields.customerName
    if (!classification.customer.name && name && text.includes(name.toLowerCase())) {
      classification.customer = { ...classification.customer, name }
      classification.customerReasons = [...classification.customerReasons, `the model read the name ${name} (the rules found none)`]
    }
    const reference = extraction.fields.reference
    if (!classification.externalRef && reference && text.includes(reference.toLowerCase())) {
      classification.externalRef = reference
      classification.externalRefReasons = [`the model read the reference ${reference} (the rules found none)`]
    }
  }
  return {
    ...a,
    classification,
    summary: {
      ...a.summary,
      customer: { email: classification.customer.email, name: classification.customer.name },
      externalRef: classification.externalRef,
    },
  }
}
