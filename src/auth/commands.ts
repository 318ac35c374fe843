import { parseArgs } from 'node:util'
import { UsageError, withDatabase, type Command } from '../cli/command.ts'
import { signInLinkFor } from './sign-in.ts'

export const loginLinkCommand: Command = {
  name: 'login-link',
  usage: 'login-link <email> [--org SLUG]   print a single-use sign-in link (valid 15 minutes)',
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { org: { type: 'string' } } })
    const [email] = positionals
    if (!email || positionals.length > 1) throw new UsageError('login-link takes one email address: desk login-link admin@example.com')
    const link = await withDatabase((db, env) => signInLinkFor({ db, env }, email, values.org))
    if (!link.ok) throw new UsageError(link.reason)
    console.log(link.url)
  },
}
