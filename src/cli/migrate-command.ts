import { ensureDemoOrg } from '../orgs/demo.ts'
import { loadEnv, openDatabase } from '../runtime.ts'
import type { Command } from './command.ts'

export const migrateCommand: Command = {
  name: 'migrate',
  usage: 'migrate   apply database migrations (and create the demo org on an empty database)',
  async run() {
    const env = loadEnv()
    const database = await openDatabase(env)
    try {
      const { applied } = await database.migrate()
      console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date')
      if (env.DESK_DEMO && (await ensureDemoOrg(database.db))) console.log('created the demo organization "demo" (admin@example.com)')
    } finally {
      await database.close()
    }
  },
}
