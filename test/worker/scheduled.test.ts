import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { connect, type Db } from '../../src/db.ts'
import { migrate } from '../../src/migrate.ts'
import { insertOrg, insertUser } from '../../src/orgs/queries.ts'
import { dropDatabase, testDatabaseName, withDatabase } from '../support/databases.ts'
import { buildEml } from '../support/db.ts'
import { arrangeCase, heldMail, minutes } from '../support/digest.ts'

// As in email.test.ts: wrangler bundles these as text; under Node only they are replaced.
vi.mock('htmx.org/dist/htmx.min.js', () => ({ default: '/* htmx */' }))
vi.mock('htmx.org/dist/ext/hx-csp.min.js', () => ({ default: '/* hx-csp */' }))
vi.mock('../../views/static/desk.js', () => ({ default: '/* desk */' }))

const { default: worker } = await import('../../src/worker.ts')

// The cron handler works on every org, so it gets a database of its own.
describe('Cloudflare Worker scheduled(): the same tick as the Node scheduler, then a bounded drain', () => {
  const name = testDatabaseName('worker_cron')
  let url: string
  let db: Db
  const pending: Promise<unknown>[] = []
  const ctx = { waitUntil: (p: Promise<unknown>) => void pending.push(p) }
  const env = () => ({ HYPERDRIVE: { connectionString: url }, PUBLIC_URL: 'https://desk.example.test' })
  const cron = (at: Date) => worker.scheduled({ scheduledTime: at.getTime(), cron: '* * * * *' }, env(), ctx)

  beforeAll(async () => {
    url = await withDatabase(name)
    db = connect(url, { max: 2 })
    await migrate(db)
  })
  afterAll(async () => {
    await Promise.allSettled(pending)
    await db.end()
    await dropDatabase(name)
  })

  it('sends the due digest once and runs the jobs requests left behind (drafts)', async () => {
    const org = await insertOrg(db, { slug: 'cron-org', name: 'Cron Org', timezone: 'UTC', inboundAddresses: ['escalations@cron.test'] })
    await db`update orgs set digest_hour = 0, created_at = now() - interval '2 days' where id = ${org.id}`
    await insertUser(db, org.id, { email: 'boss@cron.test', name: 'Boss', role: 'approver' })
    await arrangeCase(db, org.id, {
      subject: 'Overdue',
      nextDeadlineAt: new Date(Date.now() - minutes(30)),
      nextAtRiskAt: new Date(Date.now() - minutes(90)),
    })
    // Mail that arrived through the email() handler: its draft job waits for the cron.
    const raw = buildEml({ subject: 'Arrived by Email Routing', to: 'escalations@cron.test' })
    await worker.email(
      {
        from: 'pat@customer.test',
        to: 'escalations@cron.test',
        raw: new Response(Buffer.from(raw)).body!,
        rawSize: raw.byteLength,
        setReject: () => {},
      },
      env(),
      ctx,
    )

    const log = vi.spyOn(console, 'log').mockImplementation(() => {})
    try {
      await cron(new Date())
      await cron(new Date(Date.now() + 60_000))
    } finally {
      log.mockRestore()
    }
    const mail = await heldMail(db, org.id)
    expect(mail.filter((m) => m.key?.startsWith('digest/'))).toEqual([
      expect.objectContaining({ to: ['boss@cron.test'], subject: expect.stringMatching(/1 breached/) }),
    ])
    const [drafted] =
      await db`select count(*)::int as n from drafts d join cases c on c.id = d.case_id where c.subject = 'Arrived by Email Routing'`
    expect(drafted!.n).toBe(1)
    const [pendingJobs] = await db`select count(*)::int as n from jobs where done_at is null and failed_at is null`
    expect(pendingJobs!.n).toBe(0)
  })
})
