// What intake asks a model for and what comes back: the fields of the structured output (a zod
// schema, so the answer is checked before it is used) and the outcome of one call, a value
// whether it worked or not. Kept apart from the call itself so a classification can carry it.
import { z } from 'zod'

const sources = ['ceo_inbox', 'bbb', 'lawyer', 'regulator', 'social', 'direct'] as const
const severities = ['SEV-1', 'SEV-2', 'SEV-3', 'SEV-4'] as const

export const modelExtractionSchema = z.object({
  isEscalation: z
    .boolean()
    .describe('False for auto-replies, delivery reports, newsletters and system notifications that carry no complaint.'),
  escalationReason: z.string(),
  source: z.enum(sources).describe('Through whom or what the escalation reached the company.'),
  customerName: z
    .string()
    .nullable()
    .describe("The customer's name as the message gives it (the consumer a notice names, the client a lawyer names); null if none."),
  customerEmail: z
    .string()
    .nullable()
    .describe(
      "The customer's own email address exactly as written in the message; null if the message gives none. Never a no-reply, company or lawyer address.",
    ),
  reference: z
    .string()
    .nullable()
    .describe("The complaint's reference as the notice, body or law firm writes it; never an order or ticket number."),
  severity: z.enum(severities),
  severityReasons: z.array(z.string()).describe('Short reasons, each naming what in the message sets the severity.'),
})
export type ModelFields = z.infer<typeof modelExtractionSchema>

export type ModelExtraction =
  | {
      ok: true
      model: string
      ms: number
      fields: ModelFields
      disagreements: { field: string; rules: unknown; model: unknown }[]
      dropped: string[]
    }
  | { ok: false; reason: 'timeout' | 'refusal' | 'api_error' | 'invalid_output'; detail: string; ms: number }
