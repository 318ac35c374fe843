import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Db } from '../../src/db.ts'
import { findOrgBySlug } from '../../src/orgs/queries.ts'
import { seedOrg, testDatabaseUrl, testDb } from '../support/db.ts'
import { runDesk } from '../support/process.ts'

// `desk org create|list|set`: an organization set up without SQL, every change audited, and bad
// input refused with one line and exit 2 before anything is written.

describe('desk org', () => {
  let db: Db
  const env = () => ({ DATABASE_URL: testDatabaseUrl(), DESK_DEMO: '0', PUBLIC_URL: 'https://desk.example.test' })
  const id = randomBytes(4).toString('hex')
  const slug = `acme-${id}`
  const domain = `acme-${id}.test`
  beforeAll(() => {
    db = testDb()
  })
  afterAll(() => db.end())

  const orgRow = async (s: string) => (await db`select id, name, timezone, inbound_addresses, domains from orgs where slug = ${s}`)[0]
  const auditOf = async (orgId: string, action: string) =>
    db<{ actorKind: string; actorId: string | null; details: Record<string, unknown> }[]>`
      select actor_kind as "actorKind", actor_id as "actorId", details from audit_events where org_id = ${orgId} and action = ${action} order by seq`
  const refusedWith = (result: { code: number | null; stderr: string }, pattern: RegExp) => {
    expect(result.code).toBe(2)
    expect(result.stderr.trim().split('\n')).toHaveLength(1)
    expect(result.stderr).toMatch(pattern)
  }

  it('creates an organization with its first admin and prints a sign-in link on PUBLIC_URL', async () => {
    const result = await runDesk(
      [
        'org',
        'create',
        '--slug',
        slug,
        '--name',
        'Acme Inc',
        '--inbound',
        `Escalations@${domain}`,
        '--admin',
        `ops@${domain}`,
        '--timezone',
        'europe/berlin',
      ],
      env(),
    )
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(
      new RegExp(`created organization ${slug} \\(Acme Inc\\), receiving at escalations@${domain}; admin ops@${domain}`),
    )
    expect(result.stdout).toMatch(/Sign in as ops@.* \(single use, 15 minutes\): https:\/\/desk\.example\.test\/sign-in\/confirm\?token=/)
    const org = await orgRow(slug)
    expect(org).toMatchObject({ name: 'Acme Inc', timezone: 'Europe/Berlin', inbound_addresses: [`escalations@${domain}`] })
    expect(await db`select email, role from app_users where org_id = ${org!.id}`).toEqual([{ email: `ops@${domain}`, role: 'admin' }])
    expect(await auditOf(org!.id, 'org.create')).toEqual([
      { actorKind: 'system', actorId: 'cli', details: expect.objectContaining({ slug, admin: `ops@${domain}` }) },
    ])
  })

  it('refuses bad input with one line and exit 2, and writes nothing', async () => {
    const other = await seedOrg(db)
    const fresh = `new-${id}`
    const create = (overrides: Record<string, string>) => {
      const options = {
        '--slug': fresh,
        '--name': 'New Co',
        '--inbound': `escalations@new-${id}.test`,
        '--admin': `admin@new-${id}.test`,
        ...overrides,
      }
      return runDesk(['org', 'create', ...Object.entries(options).flat()], env())
    }
    refusedWith(await create({ '--slug': slug }), new RegExp(`an organization with slug "${slug}" already exists`))
    // Another org receives at escalations@…: so does escalations+anything@…, in any case.
    refusedWith(
      await create({ '--inbound': other.inboundAddresses[0]!.toUpperCase() }),
      new RegExp(`${other.inboundAddresses[0]} is already an inbound address of organization "${other.slug}"`),
    )
    refusedWith(await create({ '--inbound': 'not-an-address' }), /--inbound: "not-an-address" is not an email address/)
    refusedWith(await create({ '--inbound': `escalations+desk@new-${id}.test` }), /cannot contain "\+"/)
    refusedWith(await create({ '--timezone': 'Mars/Olympus' }), /--timezone: "Mars\/Olympus" is not a time zone/)
    refusedWith(await create({ '--admin': 'nobody' }), /--admin: "nobody" is not an email address/)
    refusedWith(await runDesk(['org', 'create', '--slug', fresh], env()), /--name is required/)
    expect(await findOrgBySlug(db, fresh)).toBeUndefined()
  })

  it('sets inbound addresses, executives, domains, name and time zone, each change one audit event with before and after', async () => {
    const result = await runDesk(
      [
        'org',
        'set',
        slug,
        '--inbound',
        `escalations@${domain},ceo-desk@${domain}`,
        '--executives',
        `CEO@${domain}, coo@${domain}`,
        '--domains',
        `${domain},acme-${id}.de`,
        '--timezone',
        'America/New_York',
      ],
      env(),
    )
    expect(result.stderr).toBe('')
    expect(result.stdout.trim()).toBe(`${slug}: changed timezone, inboundAddresses, domains, executives`)
    const org = await orgRow(slug)
    expect(org).toMatchObject({
      timezone: 'America/New_York',
      inbound_addresses: [`escalations@${domain}`, `ceo-desk@${domain}`],
      domains: [domain, `acme-${id}.de`],
    })
    expect(await db`select email from org_executives where org_id = ${org!.id} order by email`).toEqual([
      { email: `ceo@${domain}` },
      { email: `coo@${domain}` },
    ])
    const [update] = await auditOf(org!.id, 'org.update')
    expect(update).toEqual({
      actorKind: 'system',
      actorId: 'cli',
      details: {
        changed: ['timezone', 'inboundAddresses', 'domains', 'executives'],
        before: { timezone: 'Europe/Berlin', inboundAddresses: [`escalations@${domain}`], domains: [], executives: [] },
        after: {
          timezone: 'America/New_York',
          inboundAddresses: [`escalations@${domain}`, `ceo-desk@${domain}`],
          domains: [domain, `acme-${id}.de`],
          executives: [
            { email: `ceo@${domain}`, name: '', title: '', sendAs: false },
            { email: `coo@${domain}`, name: '', title: '', sendAs: false },
          ],
        },
      },
    })
    // The same again changes nothing and records nothing.
    const again = await runDesk(['org', 'set', slug, '--executives', `coo@${domain},ceo@${domain}`], env())
    expect(again.stdout.trim()).toBe(`${slug}: already so, nothing changed`)
    expect(await auditOf(org!.id, 'org.update')).toHaveLength(1)
  })

  it('refuses an unknown org, an address another org receives at, and a public mail domain', async () => {
    const other = await seedOrg(db)
    refusedWith(await runDesk(['org', 'set', 'no-such-org', '--name', 'X'], env()), /no organization with slug "no-such-org"/)
    const tagged = other.inboundAddresses[0]!.replace('@', '+vip@')
    refusedWith(await runDesk(['org', 'set', slug, '--inbound', tagged], env()), /cannot contain "\+"/)
    refusedWith(
      await runDesk(['org', 'set', slug, '--inbound', other.inboundAddresses[0]!], env()),
      new RegExp(`already an inbound address of organization "${other.slug}"`),
    )
    refusedWith(await runDesk(['org', 'set', slug, '--domains', 'gmail.com'], env()), /gmail\.com is a public mail provider/)
    refusedWith(await runDesk(['org', 'set', slug, '--executives', 'ceo@'], env()), /--executives: "ceo@" is not an email address/)
    refusedWith(await runDesk(['org', 'set', slug], env()), /nothing to set/)
    expect((await orgRow(slug))!.inbound_addresses).toEqual([`escalations@${domain}`, `ceo-desk@${domain}`])
  })

  it('lists the organizations', async () => {
    const result = await runDesk(['org', 'list', '--json'], env())
    expect(result.code).toBe(0)
    const listed = (JSON.parse(result.stdout) as { slug: string }[]).find((o) => o.slug === slug)
    expect(listed).toMatchObject({
      name: 'Acme Inc',
      timezone: 'America/New_York',
      executives: [`ceo@${domain}`, `coo@${domain}`],
      users: 1,
    })
    const text = await runDesk(['org', 'list'], env())
    expect(text.stdout).toMatch(
      new RegExp(
        `^${slug}\\tAcme Inc\\tAmerica/New_York\\tinbound escalations@${domain}, ceo-desk@${domain}\\texecutives ceo@${domain}, coo@${domain}\\t1 user$`,
        'm',
      ),
    )
  })
})
