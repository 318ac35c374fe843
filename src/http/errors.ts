import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** The closed set of unexpected outcomes; expected ones are returned as values. */
export const errorStatus = {
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  UNAUTHORIZED: 401,
  CONFLICT: 409,
  INVALID_STATE: 409,
  BAD_INPUT: 400,
  TOO_LARGE: 413,
  RATE_LIMITED: 429,
  UPSTREAM_FAILED: 502,
  UNAVAILABLE: 503,
} as const satisfies Record<string, ContentfulStatusCode>

export type ErrorCode = keyof typeof errorStatus

export class AppError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string) {
    super(message)
    this.name = 'AppError'
    this.code = code
  }
  get status(): ContentfulStatusCode {
    return errorStatus[this.code]
  }
}

export const notFound = (what = 'That page') => new AppError('NOT_FOUND', `${what} does not exist.`)
