import { parseArgs } from 'node:util'
import { UsageError, requireOrg, withDatabase, type Command } from '../cli/command.ts'
import { withOrg } from '../db.ts'
import { verifyAuditChain } from './audit.ts'
import { exportAudit } from './export.ts'

export const auditCommand: Command = {
  name: 'audit',
  usage: 'audit verify --org SLUG | audit export --org SLUG [--case ESC-n]   check or export the audit trail',
  async run(args) {
    const [sub, ...rest] = args
    const { values } = parseArgs({ args: rest, options: { org: { type: 'string' }, case: { type: 'string' } } })
    if (sub !== 'verify' && sub !== 'export') throw new UsageError('use "audit verify --org SLUG" or "audit export --org SLUG"')
    return withDatabase(async (db) => {
      const org = await requireOrg(db, values.org)
      if (sub === 'verify') {
        // Read as the owner: verification must see exactly what is stored, whoever changed it.
        const result = await verifyAuditChain(db, org.id)
        if (result.ok) {
          console.log(`audit trail of ${org.slug} is intact: ${result.events} events`)
          return 0
        }
        console.error(`audit trail of ${org.slug} is BROKEN at event ${result.first.seq}: ${result.first.problem}`)
        return 1
      }
      await withOrg(db, org.id, async (tx) => {
        let caseId: string | null = null
        if (values.case) {
          const [row] = await tx`select id from cases where 'ESC-' || number = ${values.case.toUpperCase()}`
          if (!row) throw new UsageError(`no case ${values.case} in ${org.slug}`)
          caseId = row.id as string
        }
        for await (const chunk of exportAudit(tx, caseId)) process.stdout.write(chunk)
      })
    })
  },
}
