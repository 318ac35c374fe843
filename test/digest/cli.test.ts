import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Db } from '../../src/db.ts'
import type { Org } from '../../src/orgs/queries.ts'
import { seedOrg, seedUser, testDatabaseUrl, testDb } from '../support/db.ts'
import { arrangeCase, heldMail, minutes } from '../support/digest.ts'
import { runDesk } from '../support/process.ts'

describe('desk digest', () => {
  let db: Db
  let org: Org
  let approver: { email: string }
  let overdue: { id: string; number: number }
  const env = () => ({ DATABASE_URL: testDatabaseUrl(), DESK_DEMO: '0', PUBLIC_URL: 'https://desk.example.test' })
  const runs = async () => db`select status, recipients from digest_runs where org_id = ${org.id}`

  beforeAll(async () => {
    db = testDb()
    org = await seedOrg(db, { timezone: 'Asia/Kolkata' })
    approver = await seedUser(db, org.id, 'approver')
    overdue = await arrangeCase(db, org.id, {
      subject: 'Overdue reply',
      severity: 'SEV-2',
      nextDeadlineAt: new Date(Date.now() - minutes(95)),
      nextAtRiskAt: new Date(Date.now() - minutes(150)),
    })
  })
  afterAll(async () => {
    await db.end()
  })

  it('--dry-run prints what would be sent and claims nothing', async () => {
    const result = await runDesk(['digest', '--org', org.slug, '--dry-run'], env())
    expect(result.stderr).toBe('')
    expect(result.code).toBe(0)
    expect(result.stdout).toMatch(
      new RegExp(
        `^── ${org.slug} \\d{4}-\\d\\d-\\d\\d: would send to ${approver.email}\\nSubject: Escalations \\w{3} \\d+ \\w{3}: 1 breached, 1 unowned\\n`,
      ),
    )
    expect(result.stdout).toContain(
      `BREACHED (1)\n- ESC-${overdue.number} SEV-2: Overdue reply\n  resolution overdue by 1 h 35 min · no owner\n  https://desk.example.test/cases/${overdue.id}`,
    )
    expect(await runs()).toEqual([])
    expect(await heldMail(db, org.id)).toEqual([])
  })

  it("without --dry-run sends today's digest now, once", async () => {
    const sent = await runDesk(['digest', '--org', org.slug], env())
    expect(sent.code).toBe(0)
    expect(sent.stdout).toContain(`: sent to ${approver.email}\nSubject: Escalations`)
    expect(await runs()).toEqual([{ status: 'sent', recipients: [approver.email] }])
    expect(await heldMail(db, org.id)).toHaveLength(1)

    const again = await runDesk(['digest', '--org', org.slug], env())
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/already done today \(sent at \d{4}-/)
    expect(await heldMail(db, org.id)).toHaveLength(1)
  })

  it('an unknown org is bad input', async () => {
    const result = await runDesk(['digest', '--org', 'no-such-org', '--dry-run'], env())
    expect(result.code).toBe(2)
    expect(result.stderr).toContain('no organization with slug "no-such-org"')
  })
})
