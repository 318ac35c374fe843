import { parseArgs } from 'node:util'
import { withDatabase, type Command } from '../cli/command.ts'
import { listHeldMail } from '../owner-queries.ts'

export const mailboxCommand: Command = {
  name: 'mailbox',
  usage: 'mailbox [--json]   mail held by the dev transport (no RESEND_API_KEY), newest first',
  async run(args) {
    const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } })
    const mail = await withDatabase((db) => listHeldMail(db))
    if (values.json) {
      console.log(
        JSON.stringify(mail.map((m) => ({ id: m.id, to: m.to, subject: m.subject, text: m.text, createdAt: m.createdAt.toISOString() }))),
      )
      return
    }
    if (mail.length === 0) console.log('The dev mailbox is empty.')
    for (const m of mail) {
      console.log(`── ${m.createdAt.toISOString()}  to ${m.to.join(', ')}\nSubject: ${m.subject}\n\n${m.text}\n`)
    }
  },
}
