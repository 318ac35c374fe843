import { OpenAPIHono } from '@hono/zod-openapi'
import { bodyLimit } from 'hono/body-limit'
import { AppError } from '../http/errors.ts'
import { apiError, bearerAuth, type ApiEnv } from './auth.ts'
import { addReadRoutes } from './read-routes.ts'
import { addWriteRoutes } from './write-routes.ts'

// /api/v1: JSON for programs, with per-org bearer tokens (README "API"). Mounted by src/app.ts.
// The document at /api/v1/openapi.json is generated from the same zod schemas that validate
// every request, so it cannot drift from what the routes accept.

/** A case's summary is at most 20,000 characters; the largest request is well under this. */
const API_BODY_LIMIT = 256 * 1024

export const apiRoutes = new OpenAPIHono<ApiEnv>({
  // A request that fails its schema: 400 with the first problem, in the API's error shape.
  defaultHook: (result) => {
    if (result.success) return
    const issue = result.error.issues[0]
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : ''
    throw new AppError('BAD_INPUT', `${where}${issue?.message ?? 'That request is not right.'}`)
  },
})

apiRoutes.onError(apiError)

apiRoutes.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
  type: 'http',
  scheme: 'bearer',
  description: 'An API token from /admin/api-tokens: `Authorization: Bearer desk_…`.',
})

// Before the token check: the document describes the API, and holds no data of any org.
apiRoutes.doc('/openapi.json', (c) => ({
  openapi: '3.0.3',
  info: {
    title: 'Escalation Desk API',
    version: '1',
    description: 'Read, create and update cases. It never approves or sends a reply: the approval gate stays with people.',
  },
  servers: [{ url: new URL('/api/v1', c.get('deps').env.PUBLIC_URL).toString() }],
  security: [{ bearer: [] }],
}))

apiRoutes.use(
  '*',
  bodyLimit({
    maxSize: API_BODY_LIMIT,
    onError: () => {
      throw new AppError('TOO_LARGE', 'That request is too large (256 KB at most).')
    },
  }),
)
apiRoutes.use('*', bearerAuth)
addReadRoutes(apiRoutes)
addWriteRoutes(apiRoutes)

// Anything else under /api/v1 is a 404 in the API's own shape (there is no route to approve,
// edit a draft or send, by design).
apiRoutes.all('*', () => {
  throw new AppError('NOT_FOUND', 'There is no such API route.')
})
