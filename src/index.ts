import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { serve } from '@hono/node-server'
import { createApp } from './app.ts'
import { migrate } from './migrate.ts'
import { demoOrg, ensureDemoOrg } from './orgs/demo.ts'
import { loadEnv, openDatabase } from './runtime.ts'

const started = performance.now()
const env = loadEnv()
const database = await openDatabase(env, 'owner').catch((error: Error) => {
  console.error(`Escalation Desk cannot start: ${error.message}`)
  process.exit(1)
})
const { applied } = await migrate(database.db)
if (applied.length) console.log(`Applied migrations: ${applied.join(', ')}`)
if (env.DESK_DEMO && (await ensureDemoOrg(database.db))) {
  console.log(`Created the demo organization "${demoOrg.slug}" with admin admin@example.com`)
}

const require = createRequire(import.meta.url)
const htmx = await readFile(require.resolve('htmx.org/dist/htmx.min.js'), 'utf8')
const loopback = ['127.0.0.1', 'localhost', '::1'].includes(env.HOST)

const app = createApp({
  db: database.db,
  env,
  assets: { 'htmx.min.js': { body: htmx, type: 'text/javascript; charset=utf-8' } },
  localDemoOrg: database.embedded && loopback ? demoOrg.slug : null,
})

const server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST }, () => {
  const where = database.embedded ? `embedded database in ${env.DATA_DIR}/` : 'DATABASE_URL'
  console.log(`Escalation Desk is ready at ${env.PUBLIC_URL} (${where}, ${Math.round(performance.now() - started)} ms)`)
})

let stopping = false
async function shutdown(signal: string) {
  if (stopping) return
  stopping = true
  console.log(`${signal}: stopping`)
  server.close()
  await database.close()
  process.exit(0)
}
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGTERM', () => void shutdown('SIGTERM'))
