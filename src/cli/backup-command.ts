import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { connect } from '../db.ts'
import { openEmbedded } from '../embedded.ts'
import { loadEnv, openDatabase } from '../runtime.ts'
import { restoreBackup, writeBackup } from './backup.ts'
import { UsageError, type Command } from './command.ts'

// `desk backup --out DIR|FILE` and `desk restore --from FILE` (src/cli/backup.ts says how).

export const backupCommand: Command = {
  name: 'backup',
  usage: 'backup --out DIR|FILE   a consistent copy of the whole database (while the desk runs), one gzip file',
  async run(args) {
    const { values } = parseArgs({ args, options: { out: { type: 'string' } } })
    if (!values.out) throw new UsageError('--out DIR|FILE is required')
    const isDir = (await stat(values.out).catch(() => null))?.isDirectory()
    const file = isDir ? join(values.out, `desk-backup-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl.gz`) : values.out
    const database = await openDatabase(loadEnv())
    try {
      await database.migrate()
      const { tables, rows } = await writeBackup(database.db, file)
      console.log(`wrote ${file}: ${rows} rows of ${tables} tables`)
    } finally {
      await database.close()
    }
  },
}

export const restoreCommand: Command = {
  name: 'restore',
  usage: 'restore --from FILE   fill a new embedded database (DATA_DIR) from a backup',
  async run(args) {
    const { values } = parseArgs({ args, options: { from: { type: 'string' } } })
    if (!values.from) throw new UsageError('--from FILE is required')
    if (!(await stat(values.from).catch(() => null))?.isFile()) throw new UsageError(`no file ${values.from}`)
    const env = loadEnv()
    // A managed server is restored with its own tools (README: pg_restore, point-in-time recovery).
    if (env.DATABASE_URL) throw new UsageError('restore fills the embedded database in DATA_DIR; unset DATABASE_URL')
    const embedded = await openEmbedded(env.DATA_DIR)
    const owner = connect(embedded.url, { max: 2 })
    const superuser = connect(embedded.superuserUrl, { max: 1 })
    try {
      const { rows, version } = await restoreBackup(values.from, owner, superuser)
      console.log(`restored ${rows} rows (schema version ${version}) from ${values.from} into ${env.DATA_DIR}`)
    } finally {
      await Promise.all([owner.end(), superuser.end()])
      await embedded.close()
    }
  },
}
