import { ErrorSchema } from './schemas.ts'

const error = (description: string) => ({ description, content: { 'application/json': { schema: ErrorSchema } } })

/** The refusals every /api/v1 operation may answer with, for the OpenAPI document. */
export const errorResponses = {
  400: error('The request is not right (the message says what)'),
  401: error('No token, or one that is unknown or revoked'),
  403: error('The token may not do this (a read token writing)'),
  404: error("No such case in the token's organization"),
  429: error('Over the token’s requests per minute; see Retry-After'),
} as const

/** What the operations that change a case may answer with besides. */
export const changeResponses = {
  ...errorResponses,
  409: error('The case cannot change that way now (already so, merged, a reference another case has)'),
} as const
