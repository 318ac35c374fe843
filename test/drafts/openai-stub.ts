import { createServer, type ServerResponse } from 'node:http'

export type ChatRequest = {
  path: string
  authorization: string | undefined
  body: {
    model: string
    messages: { role: string; content: string }[]
    response_format?: { type: string; json_schema?: { name: string; strict: boolean; schema: Record<string, unknown> } }
  }
  /** The raw request body, exactly as it left the desk. */
  raw: string
}

/** How the stand-in answers one request. */
export type Behaviour =
  | { kind: 'answer'; content: unknown }
  | { kind: 'raw'; content: string }
  | { kind: 'refusal'; refusal: string }
  | { kind: 'status'; status: number }
  | { kind: 'delay'; ms: number; then?: Behaviour }

/**
 * A local stand-in for the OpenAI chat completions API (POST /v1/chat/completions), reached through
 * the real SDK via OPENAI_BASE_URL. Records every request; answers with `behaviour` (settable).
 * It also answers the models API (GET /v1/models, GET /v1/models/<id>) for the models it has.
 */
export async function startOpenAiStub() {
  const requests: ChatRequest[] = []
  let behaviour: Behaviour = { kind: 'answer', content: goodDraft() }
  const pending = new Set<ServerResponse>()
  let models = ['gpt-4o-mini']
  const modelObject = (id: string) => ({ id, object: 'model', created: 1721172741, owned_by: 'system' })

  const reply = (res: ServerResponse, b: Behaviour, model: string) => {
    if (res.destroyed) return
    if (b.kind === 'delay') {
      pending.add(res)
      setTimeout(() => {
        pending.delete(res)
        reply(res, b.then ?? { kind: 'answer', content: goodDraft() }, model)
      }, b.ms)
      return
    }
    res.setHeader('content-type', 'application/json')
    if (b.kind === 'status') {
      res.statusCode = b.status
      // Tell the SDK to retry quickly, as OpenAI's retry-after-ms does.
      res.setHeader('retry-after-ms', '10')
      res.end(
        JSON.stringify({ error: { message: 'The server had an error while processing your request.', type: 'server_error', code: null } }),
      )
      return
    }
    const message =
      b.kind === 'refusal'
        ? { role: 'assistant', content: null, refusal: b.refusal }
        : { role: 'assistant', content: b.kind === 'raw' ? b.content : JSON.stringify(b.content), refusal: null }
    res.end(
      JSON.stringify({
        id: `chatcmpl-stub${requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model,
        choices: [{ index: 0, message, finish_reason: 'stop', logprobs: null }],
        usage: { prompt_tokens: 100, completion_tokens: 100, total_tokens: 200 },
      }),
    )
  }

  const server = createServer((req, res) => {
    let raw = ''
    req.on('data', (chunk) => (raw += chunk))
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : {}
      requests.push({ path: req.url ?? '', authorization: req.headers.authorization, body, raw })
      const model = /\/models(?:\/([^/?]+))?$/.exec(req.url?.split('?')[0] ?? '')
      if (req.method === 'GET' && model) {
        res.setHeader('content-type', 'application/json')
        if (!model[1]) return res.end(JSON.stringify({ object: 'list', data: models.map(modelObject) }))
        const id = decodeURIComponent(model[1])
        if (models.includes(id)) return res.end(JSON.stringify(modelObject(id)))
        res.statusCode = 404
        return res.end(
          JSON.stringify({
            error: { message: `The model '${id}' does not exist`, type: 'invalid_request_error', code: 'model_not_found' },
          }),
        )
      }
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.statusCode = 404
        return res.end(JSON.stringify({ error: { message: 'not found' } }))
      }
      reply(res, behaviour, body.model ?? 'gpt-4o-mini')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    set(next: Behaviour) {
      behaviour = next
    },
    /** The models the models API knows from now on. */
    setModels(next: string[]) {
      models = next
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of pending) res.destroy()
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** A well-formed structured answer, as the model would give it. */
export function goodDraft(overrides: Record<string, unknown> = {}) {
  return {
    subject: 'Re: Complaint about my order',
    body: 'Dear Pat,\n\nThank you for writing to us. I am sorry your order has not arrived; I know how frustrating that is.\n\nI have asked our logistics lead to trace it today, and I will update you by 14:30 UTC tomorrow with what we find.\n\nKind regards,\nCustomer Care',
    toneNotes: 'Warm and direct; owns the follow-up.',
    missingFacts: ['Where the parcel is now'],
    guardrailFlags: [],
    recoveryAction: 'apology',
    recoveryRationale: 'A single late order, first escalation.',
    ...overrides,
  }
}
