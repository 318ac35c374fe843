import { parseArgs } from 'node:util'
import { systemActor, type Actor } from '../audit/audit.ts'
import { issueSignInLink, SIGN_IN_LINK_SECONDS } from '../auth/sign-in.ts'
import { UsageError, withDatabase, type Command } from '../cli/command.ts'
import {
  checkDomains,
  checkEmail,
  checkEmails,
  checkInboundAddresses,
  checkOrgName,
  checkReplyFrom,
  checkSlug,
  checkTimeZone,
  splitList,
  type Checked,
} from './addresses.ts'
import { changeOrganization, createOrganization, type OrgChanges } from './organization.ts'
import { findOrgBySlug, listOrgSummaries } from './queries.ts'

// `desk org create|list|set`: organizations without SQL. Bad input is one line and exit 2,
// before anything is written.

/** Whoever runs the CLI runs the desk: the audit trail records the change as the desk's, via the CLI. */
const cliActor: Actor = { ...systemActor, id: 'cli' }

const valueOf = <T>(checked: Checked<T>, option: string): T => {
  if (!checked.ok) throw new UsageError(`${option}: ${checked.problem}`)
  return checked.value
}

const required = (value: string | undefined, option: string, example: string): string => {
  if (value === undefined || value.trim() === '') throw new UsageError(`${option} is required, e.g. ${option} ${example}`)
  return value
}

const usage = {
  create: 'org create --slug S --name N --inbound ADDR[,ADDR…] --admin EMAIL [--timezone TZ]',
  list: 'org list [--json]',
  set: 'org set S [--name N] [--timezone TZ] [--inbound a@…,b@…] [--executives ceo@…,coo@…] [--domains acme.com,acme.de] [--reply-from "Name <addr>"]',
}

export const orgCommand: Command = {
  name: 'org',
  usage: `${usage.create} | ${usage.list} | ${usage.set}   set up organizations`,
  async run(args) {
    const [sub, ...rest] = args
    if (sub === 'create') return createCommand(rest)
    if (sub === 'list') return listCommand(rest)
    if (sub === 'set') return setCommand(rest)
    throw new UsageError(`expected create, list or set: desk ${usage.create}`)
  },
}

async function createCommand(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      slug: { type: 'string' },
      name: { type: 'string' },
      inbound: { type: 'string' },
      admin: { type: 'string' },
      timezone: { type: 'string' },
    },
  })
  if (positionals.length) throw new UsageError(`unexpected "${positionals[0]}": desk ${usage.create}`)
  const input = {
    slug: valueOf(checkSlug(required(values.slug, '--slug', 'acme')), '--slug'),
    name: valueOf(checkOrgName(required(values.name, '--name', '"Acme Inc"')), '--name'),
    inboundAddresses: valueOf(checkInboundAddresses(splitList(required(values.inbound, '--inbound', 'escalations@acme.com'))), '--inbound'),
    adminEmail: valueOf(checkEmail(required(values.admin, '--admin', 'ops@acme.com')), '--admin'),
    timezone: valueOf(checkTimeZone(values.timezone ?? 'UTC'), '--timezone'),
  }
  await withDatabase(async (db, env) => {
    const created = await createOrganization(db, input, cliActor)
    if (!created.ok) throw new UsageError(created.problem)
    const link = await issueSignInLink({ db, env }, { userId: created.adminId, orgId: created.org.id })
    console.log(
      `created organization ${created.org.slug} (${created.org.name}), receiving at ${created.org.inboundAddresses.join(', ')}; admin ${input.adminEmail}`,
    )
    console.log(`Sign in as ${input.adminEmail} (single use, ${SIGN_IN_LINK_SECONDS / 60} minutes): ${link.url}`)
  })
}

async function listCommand(args: string[]) {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false } } })
  if (positionals.length) throw new UsageError(`unexpected "${positionals[0]}": desk ${usage.list}`)
  await withDatabase(async (db) => {
    const orgs = await listOrgSummaries(db)
    if (values.json) return console.log(JSON.stringify(orgs))
    if (orgs.length === 0)
      return console.log(
        'no organizations yet: desk org create --slug acme --name "Acme Inc" --inbound escalations@acme.com --admin ops@acme.com',
      )
    for (const o of orgs) {
      const executives = o.executives.length ? o.executives.join(', ') : 'none'
      console.log(
        `${o.slug}\t${o.name}\t${o.timezone}\tinbound ${o.inboundAddresses.join(', ') || 'none'}\texecutives ${executives}\t${o.users} user${o.users === 1 ? '' : 's'}`,
      )
    }
  })
}

async function setCommand(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      timezone: { type: 'string' },
      inbound: { type: 'string' },
      executives: { type: 'string' },
      domains: { type: 'string' },
      'reply-from': { type: 'string' },
    },
  })
  const [slug, ...extra] = positionals
  if (!slug || extra.length) throw new UsageError(`give one organization's slug: desk ${usage.set}`)
  const changes: OrgChanges = {
    ...(values.name !== undefined ? { name: valueOf(checkOrgName(values.name), '--name') } : {}),
    ...(values.timezone !== undefined ? { timezone: valueOf(checkTimeZone(values.timezone), '--timezone') } : {}),
    ...(values.inbound !== undefined ? { inboundAddresses: valueOf(checkInboundAddresses(splitList(values.inbound)), '--inbound') } : {}),
    ...(values.domains !== undefined ? { domains: valueOf(checkDomains(splitList(values.domains)), '--domains') } : {}),
    ...(values.executives !== undefined
      ? { executives: valueOf(checkEmails(splitList(values.executives)), '--executives').map((email) => ({ email })) }
      : {}),
    ...(values['reply-from'] !== undefined ? { replyFrom: valueOf(checkReplyFrom(values['reply-from']), '--reply-from') } : {}),
  }
  if (Object.keys(changes).length === 0) throw new UsageError(`nothing to set: desk ${usage.set}`)
  await withDatabase(async (db) => {
    const org = await findOrgBySlug(db, slug)
    if (!org) throw new UsageError(`no organization with slug "${slug}" (desk org list shows them)`)
    const result = await changeOrganization(db, org.id, changes, cliActor, { nameOwner: true })
    if (!result.ok) throw new UsageError(result.problem)
    console.log(result.changed.length ? `${org.slug}: changed ${result.changed.join(', ')}` : `${org.slug}: already so, nothing changed`)
  })
}
