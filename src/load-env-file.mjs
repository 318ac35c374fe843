// Settings from a file, before anything reads the environment: ENV_FILE when set (it must
// exist), else `.env` in the working directory when there is one. Variables already in the
// environment win over the file, as with `node --env-file`. Node's own parser (process.loadEnvFile),
// so quoting and comments follow the same rules as `node --env-file`; the values are then checked
// by the same schema as any other setting (src/env.ts).
import { existsSync } from 'node:fs'

const chosen = process.env.ENV_FILE
const path = chosen || '.env'
if (chosen && !existsSync(chosen)) {
  console.error(`Escalation Desk cannot start: ENV_FILE names ${chosen}, which does not exist (unset it to read .env)`)
  process.exit(2)
}
if (existsSync(path)) {
  try {
    process.loadEnvFile(path)
  } catch (error) {
    console.error(`Escalation Desk cannot start: cannot read ${path} (${error.code ?? error.message})`)
    process.exit(2)
  }
}
