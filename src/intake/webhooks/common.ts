import type { Env } from '../../env.ts'
import { AppError } from '../../http/errors.ts'
import { readBodyLimited } from './body.ts'

/**
 * Provider payloads wrap the message: base64 attachments (4/3 of their size), a raw copy next to
 * parsed bodies (Postmark), form encoding. Three times the message limit covers that; the message
 * itself is then held to MAX_MESSAGE_BYTES by tooLargeUnlessFits.
 */
export const providerPayloadLimit = (env: Env) => env.MAX_MESSAGE_BYTES * 3 + 1024 * 1024

export function tooLargeUnlessFits(raw: Uint8Array, env: Env): Uint8Array {
  if (raw.byteLength > env.MAX_MESSAGE_BYTES) {
    throw new AppError('TOO_LARGE', `The message is larger than the limit of ${env.MAX_MESSAGE_BYTES} bytes.`)
  }
  return raw
}

export async function readJson(request: Request, limit: number): Promise<unknown> {
  const body = await readBodyLimited(request, limit)
  try {
    return JSON.parse(new TextDecoder().decode(body))
  } catch {
    throw new AppError('BAD_INPUT', 'The body is not valid JSON.')
  }
}
