import { UsageError, type Command } from './cli/command.ts'
import { parseEnv } from './env.ts'
import { describeStartupError } from './runtime.ts'
import { migrateCommand } from './cli/migrate-command.ts'
import { importPgliteCommand } from './cli/import-pglite.ts'
import { ingestCommand, smtpCommand } from './intake/commands.ts'
import { caseCommand, intakeCommand } from './cases/commands.ts'
import { exportCommand, importCommand } from './imports/commands.ts'
import { auditCommand } from './audit/commands.ts'
import { workerCommand } from './jobs/commands.ts'
import { loginLinkCommand } from './auth/commands.ts'
import { mailboxCommand } from './outbound/commands.ts'
import { digestCommand } from './digest/commands.ts'
import { doctorCommand } from './setup/commands.ts'
import { quarantineCommand } from './intake/quarantine-commands.ts'
import { orgCommand } from './orgs/commands.ts'
import { eraseCommand, exportPersonCommand } from './cli/privacy-command.ts'
import { backupCommand, restoreCommand } from './cli/backup-command.ts'

// Each feature owns its commands; this file only dispatches.
const commands: Command[] = [
  migrateCommand,
  orgCommand,
  ingestCommand,
  importCommand,
  exportCommand,
  caseCommand,
  intakeCommand,
  auditCommand,
  smtpCommand,
  loginLinkCommand,
  mailboxCommand,
  digestCommand,
  doctorCommand,
  quarantineCommand,
  workerCommand,
  importPgliteCommand,
  eraseCommand,
  exportPersonCommand,
  backupCommand,
  restoreCommand,
]

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
  // A database that refuses, a migration that cannot run: one line saying what to do (the stack with DEBUG).
  const settings = parseEnv(process.env)
  console.error(`desk ${name}: ${badInput || !settings.ok ? (error as Error).message : describeStartupError(error, settings.env)}`)
  if (!badInput && settings.ok && settings.env.DEBUG) console.error((error as Error).stack ?? error)
  process.exitCode = badInput ? 2 : 1
}
