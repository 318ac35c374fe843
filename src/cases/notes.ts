import { recordAudit, userActor } from '../audit/audit.ts'
import type { Tx } from '../db.ts'
import { AppError } from '../http/errors.ts'
import { lockCase } from './case-record.ts'

/** Internal notes live in the thread but never leave the desk (direction 'note'). */
export async function addNote(tx: Tx, orgId: string, caseId: string, author: { id: string }, text: string) {
  const body = text.trim()
  if (!body) throw new AppError('BAD_INPUT', 'Write something in the note first.')
  if (body.length > 20_000) throw new AppError('BAD_INPUT', 'Notes are limited to 20,000 characters.')
  const c = await lockCase(tx, caseId)
  const [note] = await tx<{ id: string }[]>`
    insert into messages (org_id, case_id, direction, subject, text_body, author_id)
    values (${orgId}, ${c.id}, 'note', '', ${body}, ${author.id}) returning id`
  await recordAudit(tx, orgId, { actor: userActor(author), action: 'note.add', caseId, details: { noteId: note!.id, chars: body.length } })
}
