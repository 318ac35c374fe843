import { UsageError, type Command } from './cli/command.ts'
import { migrateCommand } from './cli/migrate-command.ts'
import { importPgliteCommand } from './cli/import-pglite.ts'
import { ingestCommand, smtpCommand } from './intake/commands.ts'
import { caseCommand } from './cases/commands.ts'
import { exportCommand, importCommand } from './imports/commands.ts'
import { auditCommand } from './audit/commands.ts'
import { workerCommand } from './jobs/commands.ts'
import { loginLinkCommand } from './auth/commands.ts'
import { mailboxCommand } from './outbound/commands.ts'
import { digestCommand } from './digest/commands.ts'

// Each feature owns its commands; this file only dispatches.
const commands: Command[] = [migrateCommand, ingestCommand, importCommand, exportCommand, caseCommand, auditCommand, smtpCommand, loginLinkCommand, mailboxCommand, digestCommand, workerCommand, importPgliteCommand]

const usage = ['usage: desk <command>', ...commands.map((c) => `  ${c.usage}`)].join('\n')

const [name, ...rest] = process.argv.slice(2)
const command = commands.find((c) => c.name === name)
if (!command) {
  console.error(name && name !== '--help' ? `desk: unknown command "${name}"\n${usage}` : usage)
  process.exit(name === '--help' ? 0 : 2)
}
try {
  const code = await command.run(rest)
  process.exitCode = code ?? 0
} catch (error) {
  const badInput = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
  console.error(`desk ${name}: ${(error as Error).message}`)
  process.exitCode = badInput ? 2 : 1
}
