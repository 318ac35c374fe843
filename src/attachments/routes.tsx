import { Hono } from 'hono'
import { withOrg } from '../db.ts'
import type { AppEnv } from '../http/app-env.ts'
import { notFound } from '../http/errors.ts'
import { isUuid } from '../http/ids.ts'
import { requireUser } from '../http/session.ts'
import { findAttachmentContent } from './queries.ts'
import { findUploadContent } from './reply-files.ts'
import { servedHeaders } from './serve.ts'

/**
 * /cases/:id/attachments/:attachmentId: a file of the case's mail, and /cases/:id/uploads/:uploadId:
 * a file the team uploaded for a reply; for the org's users (RLS), served the same guarded way.
 */
export const attachmentRoutes = new Hono<AppEnv>()

attachmentRoutes.get('/:id/attachments/:attachmentId', async (c) => {
  const user = requireUser(c)
  const caseId = c.req.param('id')
  const attachmentId = c.req.param('attachmentId')
  if (!isUuid(caseId) || !isUuid(attachmentId)) throw notFound('That attachment')
  const file = await withOrg(c.get('deps').db, user.orgId, (tx) => findAttachmentContent(tx, caseId, attachmentId))
  if (!file) throw notFound('That attachment')
  const content = new Uint8Array(file.content.buffer as ArrayBuffer, file.content.byteOffset, file.content.byteLength)
  return c.body(content, 200, servedHeaders({ ...file, content }, c.req.query('inline') === '1'))
})

attachmentRoutes.get('/:id/uploads/:uploadId', async (c) => {
  const user = requireUser(c)
  const caseId = c.req.param('id')
  const uploadId = c.req.param('uploadId')
  if (!isUuid(caseId) || !isUuid(uploadId)) throw notFound('That file')
  const file = await withOrg(c.get('deps').db, user.orgId, (tx) => findUploadContent(tx, caseId, uploadId))
  if (!file) throw notFound('That file')
  const content = new Uint8Array(file.content.buffer as ArrayBuffer, file.content.byteOffset, file.content.byteLength)
  return c.body(content, 200, servedHeaders({ ...file, content }, c.req.query('inline') === '1'))
})
