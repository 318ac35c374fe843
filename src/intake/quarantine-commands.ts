import { parseArgs } from 'node:util'
import { UsageError, requireOrg, withDatabase, type Command } from '../cli/command.ts'
import { listForOperator, type HeldMessage } from './quarantine.ts'

/** One line a person can scan and copy the id from; the reason last, since it runs long. */
function describe(m: HeldMessage): string {
  const from = m.from ? `${m.fromName ? `${m.fromName} ` : ''}<${m.from}>` : '(no sender)'
  return [
    m.id,
    m.orgSlug ?? 'unrouted',
    m.state,
    m.receivedAt.toISOString(),
    `${m.size}B`,
    m.provider,
    from,
    JSON.stringify(m.subject),
    m.reason,
  ].join('  ')
}

/** The JSON form: what the page shows, with the time as ISO 8601. */
const asJson = (m: HeldMessage) => ({
  id: m.id,
  org: m.orgSlug,
  state: m.state,
  reason: m.reason,
  from: m.from,
  fromName: m.fromName,
  subject: m.subject,
  recipients: m.recipients,
  receivedAt: m.receivedAt.toISOString(),
  size: m.size,
  provider: m.provider,
  attempts: m.attempts,
  maxAttempts: m.maxAttempts,
  lastError: m.lastError,
})

export const quarantineCommand: Command = {
  name: 'quarantine',
  usage:
    'quarantine list [--org SLUG] [--json]   stored mail that is quarantined or stuck, of every org and of none (reprocess with ingest --reprocess <id>)',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { org: { type: 'string' }, json: { type: 'boolean', default: false } },
    })
    if (positionals[0] !== 'list' || positionals.length > 1) throw new UsageError('usage: desk quarantine list [--org SLUG] [--json]')
    await withDatabase(async (db) => {
      // The operator's view, on the owner connection: mail routed to no org is theirs to route.
      const org = values.org ? await requireOrg(db, values.org) : null
      const held = await listForOperator(db, { orgId: org?.id ?? null })
      if (values.json) {
        console.log(JSON.stringify(held.map(asJson)))
        return
      }
      if (held.length === 0) console.log('nothing is quarantined or stuck')
      for (const m of held) console.log(describe(m))
    })
  },
}
