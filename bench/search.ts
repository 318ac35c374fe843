// `search`: finding cases in an org with 10,000 and one with 100,000 of them (`search.10k.…`,
// `search.100k.…`: the growth), each case with a customer message, through the real app
// in-process (createApp + app.request, session cookie): the header search (/search?q=…,
// full-text over case_search, sql/00023) and, in the larger org, the list of all cases paged
// deep by key (/cases?after=…). The words are drawn from small vocabularies so queries find tens
// to thousands of cases, as real ones do (ten times as many in the larger org).
import { createApp } from '../src/app.ts'
import { createSession } from '../src/auth/sessions.ts'
import { connect, withOrg } from '../src/db.ts'
import { parseEnv } from '../src/env.ts'
import { createDevMailer } from '../src/outbound/mailer.ts'
import { loadAverage } from './inbound-client.ts'
import { seedCases, seedOrgs, seedUsers } from './seed.ts'
import { isMain, note, percentile, result, timedGet, withBenchDatabase } from './support.ts'

const SIZES = [10_000, 100_000]
const QUERIES = 200
const PAGES = 60

const SURNAMES = [
  'Kowalczyk',
  'Nguyen',
  'Müller',
  'García',
  'Rossi',
  'Dubois',
  'Jansen',
  'Novák',
  'Silva',
  'Andersson',
  'Papadopoulos',
  'Horvat',
]
const WORDS = [
  'tent',
  'refund',
  'zipper',
  'sleeping',
  'bag',
  'delivery',
  'warehouse',
  'broken',
  'charged',
  'twice',
  'lawyer',
  'deadline',
  'Leipzig',
  'courier',
  'invoice',
  'membership',
]

export async function runSearchBench(): Promise<void> {
  await withBenchDatabase('search', async ({ db, url }) => {
    let started = performance.now()
    const orgs = await seedOrgs(db, 'search', SIZES.length)
    const measured: { size: number; orgId: string; user: string }[] = []
    for (const [i, size] of SIZES.entries()) {
      const org = orgs[i]!
      const users = await seedUsers(db, org.id, org.slug, 8)
      await seedCases(db, [{ orgId: org.id, total: size, open: size / 10 }], { owners: users })
      // A customer name and one message of the customer's words per case (the triggers keep case_search).
      await db`
        update cases c set customer_name = (${SURNAMES}::text[])[1 + (c.number % ${SURNAMES.length})] || ' ' || c.number
        where c.org_id = ${org.id}`
      await db`
        insert into messages (org_id, case_id, direction, from_email, subject, text_body, created_at)
        select c.org_id, c.id, 'inbound', c.customer_email, c.subject,
               (select string_agg((${WORDS}::text[])[1 + ((c.number * 7 + g * 13) % ${WORDS.length})], ' ') from generate_series(1, 60) g)
                 || ' order ' || c.number,
               c.opened_at
        from cases c where c.org_id = ${org.id}`
      measured.push({ size, orgId: org.id, user: users[0]! })
    }
    await db.unsafe('vacuum (analyze) cases, messages, case_search')
    const [{ n }]: [{ n: number }] = await db`select count(*)::int as n from case_search`
    note(`seeded ${n} searchable cases in ${((performance.now() - started) / 1000).toFixed(1)} s`)
    result('search.cases', n, 'cases')

    const env = parseEnv({ DATABASE_URL: url })
    if (!env.ok) throw new Error(env.problems.join('; '))
    const appDb = connect(url)
    try {
      const app = createApp({ db: appDb, env: env.env, assets: {}, mailer: createDevMailer(appDb) })
      for (const m of measured) {
        const size = `${m.size / 1000}k`
        const { token } = await withOrg(db, m.orgId, (tx) => createSession(tx, { orgId: m.orgId, userId: m.user }))
        const cookie = `desk_session=${token}`
        const time = (path: string) => timedGet(app, path, cookie)
        const queries = Array.from({ length: QUERIES }, (_, i) =>
          i % 3 === 0
            ? SURNAMES[i % SURNAMES.length]!.slice(0, 5)
            : i % 3 === 1
              ? `${WORDS[i % WORDS.length]} ${WORDS[(i * 5) % WORDS.length]}`
              : `${SURNAMES[i % SURNAMES.length]} ${1000 + ((i * 997) % m.size)}`,
        )
        for (const q of queries.slice(0, 20)) await time(`/search?q=${encodeURIComponent(q)}`) // warm-up
        started = performance.now()
        const samples: number[] = []
        for (const q of queries) samples.push((await time(`/search?q=${encodeURIComponent(q)}`)).ms)
        result(`search.${size}.query.p50`, percentile(samples, 50), 'ms')
        result(`search.${size}.query.p95`, percentile(samples, 95), 'ms')
        result(`search.${size}.load`, await loadAverage(), 'load')
        note(`${size}: ${QUERIES} searches in ${((performance.now() - started) / 1000).toFixed(1)} s`)
        if (m !== measured[measured.length - 1]) continue

        // The list, page after page by key; the last pages cost what the first does.
        started = performance.now()
        const pageTimes: number[] = []
        let path: string | null = '/cases'
        for (let page = 0; page < PAGES && path; page++) {
          const { ms, body } = await time(path)
          pageTimes.push(ms)
          const next: string | undefined = /href="(\/cases\?after=[^"]+)"/.exec(body)?.[1]
          path = next ? next.replaceAll('&amp;', '&') : null
        }
        const first = percentile(pageTimes.slice(1, 11), 50)
        const last = percentile(pageTimes.slice(-10), 50)
        result(`search.${size}.cases_page.p50`, percentile(pageTimes, 50), 'ms')
        result(`search.${size}.cases_page.p95`, percentile(pageTimes, 95), 'ms')
        result(`search.${size}.cases_page.deep_vs_first`, last / first, 'ratio')
        note(`${size}: ${pageTimes.length} pages in ${((performance.now() - started) / 1000).toFixed(1)} s`)
      }
    } finally {
      await appDb.end({ timeout: 5 })
    }
  })
}

if (isMain(import.meta.url)) await runSearchBench()
