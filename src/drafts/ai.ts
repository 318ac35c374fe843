import OpenAI from 'openai'
import { ContentFilterFinishReasonError, LengthFinishReasonError } from 'openai/core/error'
import { zodResponseFormat } from 'openai/helpers/zod'
import type { Env } from '../env.ts'
import { aiDraftSchema, usableDraftProblem, type AiDraft } from './schema.ts'

export type FallbackReason = 'no_api_key' | 'ai_disabled' | 'timeout' | 'refusal' | 'api_error' | 'invalid_output' | 'malformed_json'

export type AiResult =
  { ok: true; draft: AiDraft; model: string; ms: number } | { ok: false; reason: FallbackReason; detail: string; ms: number }

export type ChatMessages = { system: string; user: string }

/**
 * One structured-output request through the official SDK. Every failure is a value with a
 * reason, so the caller falls back to a template and audits why; nothing here throws.
 */
export async function requestAiDraft(env: Env, messages: ChatMessages): Promise<AiResult> {
  const started = Date.now()
  const ms = () => Date.now() - started
  if (!env.OPENAI_API_KEY) return { ok: false, reason: 'no_api_key', detail: 'OPENAI_API_KEY is not set', ms: 0 }
  // Every option explicit: the SDK would otherwise read OPENAI_* variables from the process
  // environment behind the validated settings' back.
  const client = new OpenAI({
    apiKey: env.OPENAI_API_KEY,
    baseURL: env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1',
    organization: null,
    project: null,
    timeout: env.OPENAI_TIMEOUT_MS,
    maxRetries: env.OPENAI_MAX_RETRIES,
  })
  try {
    const completion = await client.chat.completions.parse({
      model: env.OPENAI_MODEL,
      messages: [
        { role: 'system', content: messages.system },
        { role: 'user', content: messages.user },
      ],
      response_format: zodResponseFormat(aiDraftSchema, 'escalation_reply'),
    })
    const message = completion.choices[0]?.message
    if (!message) return { ok: false, reason: 'invalid_output', detail: 'the answer had no choices', ms: ms() }
    if (message.refusal) return { ok: false, reason: 'refusal', detail: message.refusal.slice(0, 500), ms: ms() }
    if (!message.parsed) return { ok: false, reason: 'invalid_output', detail: 'the answer had no content', ms: ms() }
    const problem = usableDraftProblem(message.parsed)
    if (problem) return { ok: false, reason: 'invalid_output', detail: problem, ms: ms() }
    return { ok: true, draft: message.parsed, model: completion.model || env.OPENAI_MODEL, ms: ms() }
  } catch (error) {
    return { ok: false, ...classify(error), ms: ms() }
  }
}

function classify(error: unknown): { reason: FallbackReason; detail: string } {
  if (error instanceof OpenAI.APIConnectionTimeoutError) return { reason: 'timeout', detail: 'no answer within OPENAI_TIMEOUT_MS' }
  if (error instanceof OpenAI.APIConnectionError) return { reason: 'api_error', detail: `connection failed: ${error.message}` }
  if (error instanceof OpenAI.APIError)
    return { reason: 'api_error', detail: `HTTP ${error.status ?? '?'}: ${error.message}`.slice(0, 500) }
  if (error instanceof ContentFilterFinishReasonError) return { reason: 'refusal', detail: 'stopped by the content filter' }
  if (error instanceof LengthFinishReasonError) return { reason: 'invalid_output', detail: 'the answer was cut off (length limit)' }
  if (error instanceof SyntaxError) return { reason: 'malformed_json', detail: 'the answer was not valid JSON' }
  if ((error as Error)?.name === 'ZodError') return { reason: 'invalid_output', detail: 'the answer did not match the draft schema' }
  return { reason: 'api_error', detail: `unexpected: ${(error as Error)?.message ?? String(error)}`.slice(0, 500) }
}
