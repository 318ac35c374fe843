import OpenAI from 'openai'
import { Resend } from 'resend'

// The live half of the set-up checks: each asks an outside service one cheap question, bounded
// in time, and answers with a value (never throws), so one slow service cannot hold the others.

export type Probe<T> = { ok: true; value: T } | { ok: false; reason: string }

export const probeTimeoutMs = 5000

function describeError(error: unknown): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return `no answer within ${probeTimeoutMs / 1000} s`
  const cause = e?.cause?.code ?? e?.cause?.message
  return [e?.message ?? String(error), cause].filter(Boolean).join(': ')
}

async function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { name: 'TimeoutError' })), ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** GET <PUBLIC_URL>/healthz from here: what providers and customers' browsers will reach. */
export async function probeHealthz(publicUrl: string, fetchImpl: typeof fetch = fetch): Promise<Probe<{ status: number }>> {
  const url = new URL('/healthz', publicUrl)
  try {
    const response = await fetchImpl(url, { signal: AbortSignal.timeout(probeTimeoutMs), redirect: 'manual' })
    const body = (await response.json().catch(() => null)) as { status?: string } | null
    if (response.status === 200 && body?.status === 'ok') return { ok: true, value: { status: 200 } }
    if (response.status === 503) return { ok: false, reason: `${url} answered 503: the desk there cannot reach its database` }
    return {
      ok: false,
      reason: `${url} answered ${response.status}${body?.status ? ` (${body.status})` : ''}, not the desk's health check`,
    }
  } catch (error) {
    return { ok: false, reason: `could not reach ${url}: ${describeError(error)}` }
  }
}

export type ResendDomain = { name: string; status: string; sending: boolean }

/** The domains of the Resend account the key belongs to (the SDK's domains API). */
export async function probeResendDomains(
  apiKey: string,
  baseUrl: string | undefined,
): Promise<Probe<ResendDomain[]> & { restricted?: boolean }> {
  const resend = new Resend(apiKey, { baseUrl })
  const domains: ResendDomain[] = []
  try {
    let after: string | undefined
    // A few pages at most: an account with hundreds of domains is not what this checks.
    for (let page = 0; page < 5; page++) {
      const { data, error } = await within(resend.domains.list({ limit: 100, ...(after ? { after } : {}) }), probeTimeoutMs)
      if (error || !data) {
        const restricted = error?.name === 'restricted_api_key'
        return {
          ok: false,
          restricted,
          reason: `Resend refused the key: ${error?.message ?? 'no answer'}${error?.name ? ` (${error.name})` : ''}`,
        }
      }
      for (const d of data.data) {
        domains.push({ name: d.name.toLowerCase(), status: d.status, sending: d.capabilities?.sending !== 'disabled' })
      }
      if (!data.has_more || data.data.length === 0) break
      after = data.data.at(-1)!.id
    }
    return { ok: true, value: domains }
  } catch (error) {
    return { ok: false, reason: `could not reach Resend: ${describeError(error)}` }
  }
}

/** One models call for the configured model: the key is accepted and the model exists. */
export async function probeModel(env: {
  OPENAI_API_KEY: string
  OPENAI_BASE_URL?: string
  OPENAI_MODEL: string
}): Promise<Probe<{ model: string }>> {
  const client = new OpenAI({
    apiKey: env.OPENAI_API_KEY,
    baseURL: env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1',
    timeout: probeTimeoutMs,
    maxRetries: 0,
  })
  try {
    const model = await client.models.retrieve(env.OPENAI_MODEL)
    return { ok: true, value: { model: model.id } }
  } catch (error) {
    const status = (error as { status?: number }).status
    if (status === 404) return { ok: false, reason: `the API has no model "${env.OPENAI_MODEL}"` }
    if (status === 401 || status === 403) return { ok: false, reason: `the API refused OPENAI_API_KEY (${status})` }
    return { ok: false, reason: `could not reach ${env.OPENAI_BASE_URL ?? 'https://api.openai.com/v1'}: ${describeError(error)}` }
  }
}
