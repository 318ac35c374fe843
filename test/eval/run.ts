// `npm run eval:intake [-- --set main|holdout|all] [--quiet]`: per-field accuracy and every miss.
// Uses TEST_DATABASE_URL's server when set, else starts an embedded PostgreSQL for the run; each
// run migrates a database of its own and drops it afterwards.
import { parseArgs } from 'node:util'
import { connect } from '../../src/db.ts'
import { startScratchServer } from '../../src/embedded.ts'
import { migrate } from '../../src/migrate.ts'
import { dropDatabase, testDatabaseName, withDatabase } from '../support/databases.ts'
import { evaluate, formatReport } from './intake-eval.ts'

const { values } = parseArgs({ options: { set: { type: 'string', default: 'main' }, quiet: { type: 'boolean', default: false } } })
const sets = values.set === 'all' ? ['main', 'holdout'] : [values.set!]

const server = process.env.TEST_DATABASE_URL ? null : await startScratchServer()
if (server) process.env.TEST_DATABASE_URL = server.url
const name = testDatabaseName('eval')
const url = await withDatabase(name)
const db = connect(url, { max: 4 })
let failed = false
try {
  await migrate(db)
  for (const set of sets) {
    const report = await evaluate(db, set, {
      onProgress: (done, total) => process.stderr.write(`\r${set}: ${done}/${total} messages`),
    })
    process.stderr.write('\n')
    console.log(formatReport(report, { misses: !values.quiet }))
    if (report.overall < 0.98 || report.wrongAddresses.length > 0) failed = true
  }
} finally {
  await db.end()
  await dropDatabase(name)
  await server?.stop()
}
process.exitCode = failed ? 1 : 0
