import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openBrowser, saveScreenshot, signIn, startDesk, type DeskBrowser, type DeskServer } from '../support/browser.ts'
import { buildEml } from '../support/db.ts'

// A SEV-1 day in the war room, in the browser against the real server: the case arrives, an
// incident commander is named, three internal updates go out on the 30-minute cadence (the
// clock moved on between them through the database, as a restored backup would stand), the
// workaround is communicated, the case is resolved, its post-incident review completed (the
// reviews engineer's form), it is closed, and the metrics page counts it.
describe('a SEV-1 day in the war room', () => {
  let desk: DeskServer
  let browser: DeskBrowser
  let casePath: string
  let caseId: string

  beforeAll(async () => {
    ;[desk, browser] = await Promise.all([startDesk('browser_war_room'), openBrowser({ width: 1366, height: 900 })])
    const outcome = await desk.ingest(
      buildEml({
        from: 'Dana Whitfield <dana@northwind.test>',
        subject: 'Production down: every store offline',
        body: 'Our production checkout has been down since 09:00. Every store is offline and we are losing orders.',
      }),
    )
    const [org] = await desk.db<{ id: string }[]>`select id from orgs where slug = 'demo'`
    await desk.db`insert into app_users (org_id, email, name, role) values (${org!.id}, 'casey@example.com', 'Casey Commander', 'agent')`
    await signIn(browser.page, desk.printedSignInLink())
    casePath = (await browser.page.locator('table.queue').getByRole('link', { name: outcome.case! }).getAttribute('href'))!
    caseId = casePath.split('/').pop()!
  })
  afterAll(async () => {
    await browser?.close()
    await desk?.shutdown()
  })

  /** Time passes: the case and its updates move 25 minutes into the past (inside the 30-minute cadence). */
  const minutesPass = async (n: number) => {
    await desk.db`update cases set opened_at = opened_at - make_interval(mins => ${n}) where id = ${caseId}`
    await desk.db`
      update internal_updates set created_at = created_at - make_interval(mins => ${n}),
        due_at = due_at - make_interval(mins => ${n}) where case_id = ${caseId}`
  }

  it(
    'commander, three internal updates on cadence, workaround communicated, resolved, reviewed, closed, counted',
    { timeout: 120_000 },
    async () => {
      const { page, record } = browser
      await page.goto(`${desk.url}${casePath}`)
      const room = page.locator('#war-room')

      // SEV-1 and owned: the war room opens at the top of the case.
      const severity = page.locator('form[action$="/severity"]')
      await severity.locator('select[name=severity]').selectOption('SEV-1')
      // Past triage a severity change needs a reason (src/cases/severity.ts).
      if (await severity.locator('input[name=reason]').count()) await severity.locator('input[name=reason]').fill('Every store is offline')
      await severity.getByRole('button', { name: 'Change severity' }).click()
      await expect.poll(() => page.locator('.case-head .sev').innerText()).toBe('SEV-1')
      const bar = page.locator('#next-action')
      await bar.locator('select[name=ownerId]').selectOption({ label: 'Demo Admin (admin)' })
      await bar.getByRole('button', { name: 'Assign owner' }).click()
      await expect.poll(() => room.locator('dd').first().innerText()).toContain('(the owner)')
      expect(await room.getAttribute('class')).toContain('prominent')

      // The incident commander, the status and the next action.
      await room.getByText('Edit the war room').click()
      await room.locator('select[name=commanderId]').selectOption({ label: 'Casey Commander' })
      await room.locator('input[name=statusLine]').fill('Checkout down for every store')
      await room.locator('input[name=nextAction]').fill('Fail over to the backup acquirer')
      await room.getByRole('button', { name: 'Save the war room' }).click()
      await expect.poll(() => room.getByRole('status').innerText()).toContain('War room updated.')
      expect(await room.locator('dd').first().innerText()).toBe('Casey Commander')
      await room.locator('select[name=userId]').selectOption({ label: 'Casey Commander' })
      await room.getByRole('button', { name: 'Add' }).click()
      await expect.poll(() => room.innerText()).toContain('To admin@example.com, casey@example.com')

      // Three internal updates, each before its 30-minute deadline.
      for (const n of [1, 2, 3]) {
        await page.locator('#war-room').getByRole('link', { name: 'Write the internal update' }).click()
        const body = page.locator('textarea[name=body]')
        expect(await body.inputValue()).toContain('**Current Status**: Checkout down for every store')
        expect(await body.inputValue()).toContain('- Fail over to the backup acquirer')
        await page.locator('input[name=subject]').fill(`SEV-1 update ${n}: failing over`)
        await Promise.all([
          page.waitForURL(/notice=internal-update/),
          page.getByRole('button', { name: 'Send to the stakeholders' }).click(),
        ])
        expect(await page.locator('#war-room').getByRole('status').innerText()).toBe('Internal update sent to the stakeholders.')
        expect(await page.locator('#war-room').innerText()).not.toContain('internal update missed')
        await minutesPass(25)
      }
      // Delivered by the server's job loop, to the stakeholders only, none of them late.
      await expect
        .poll(
          async () => (await desk.db`select count(*)::int as n from internal_updates where case_id = ${caseId} and status = 'sent'`)[0]!.n,
          {
            timeout: 20_000,
          },
        )
        .toBe(3)
      const sent = await desk.db<{ recipients: string[]; late: boolean }[]>`
      select recipients, created_at > due_at as late from internal_updates where case_id = ${caseId} order by created_at`
      expect(sent.map((s) => s.late)).toEqual([false, false, false])
      expect(sent.every((s) => !s.recipients.includes('dana@northwind.test'))).toBe(true)
      expect(await desk.db`select 1 from outbox where case_id = ${caseId}`).toHaveLength(0)

      // The workaround, communicated to the customer.
      await page.reload()
      await page.locator('#war-room').getByText('Edit the war room').click()
      await page.locator('#war-room textarea[name=workaround]').fill('Take card payments by phone until the failover is done')
      await page.locator('#war-room select[name=workaroundCommunicated]').selectOption('yes')
      await page.locator('#war-room').getByRole('button', { name: 'Save the war room' }).click()
      // The badge beside the saved workaround (the form's own label says "communicated" too, so wait for the badge).
      await expect.poll(() => page.locator('#war-room dd .badge').allInnerTexts()).toContain('communicated to the customer')
      for (const [n, step] of ['Confirm the exact problem', 'Implement the fix (or a workaround)'].entries()) {
        await page.locator('#war-room ol.checklist button', { hasText: step }).click()
        await expect.poll(() => page.locator('#war-room ol.checklist li.done').count()).toBe(n + 1)
      }

      // Resolved: the timeline tells the day.
      const status = page.locator('form[action$="/status"]')
      await status.locator('select[name=status]').selectOption('resolved')
      await status.getByRole('button', { name: 'Move' }).click()
      await expect.poll(() => page.locator('.case-head .chips').innerText()).toContain('resolved')
      const timeline = await page.locator('#timeline').innerText()
      expect(timeline).toContain('updated the war room: incident commander Casey Commander')
      expect(timeline.match(/sent an internal update to 2 stakeholders/g)).toHaveLength(3)
      expect(timeline).toContain('workaround communicated to the customer')
      expect(timeline).toContain('ticked the resolution step “Confirm the exact problem”')
      await saveScreenshot(page, 'war-room-day-1366')

      // The post-incident review, completed; then the case closes (the customer confirmed by phone).
      await page.goto(`${desk.url}${casePath}/review`)
      await page.locator('textarea[name=summary]').fill('Checkout was down for every store for two hours after a certificate rotation.')
      await page.locator('textarea[name=rootCause]').fill('The acquirer certificate was rotated without the new chain.')
      await page.locator('input[name=why1]').fill('The TLS handshake with the acquirer failed.')
      for (const i of [1, 2, 3, 4, 5]) await page.locator(`input[name=process${i}]`).fill(`Answer ${i}`)
      await page.getByRole('button', { name: 'Save the review' }).click()
      await page.getByRole('button', { name: /Mark the review complete/ }).click()
      await expect.poll(() => page.locator('body').innerText()).toContain('Marked complete')
      await page.goto(`${desk.url}${casePath}`)
      const close = page.locator('form[action$="/status"]')
      await close.locator('select[name=status]').selectOption('closed')
      await close.locator('input[name=reason]').fill('The customer confirmed by phone')
      await close.getByRole('button', { name: 'Move' }).click()
      await expect.poll(() => page.locator('.case-head .chips').innerText()).toContain('closed')
      expect(await page.locator('#timeline').innerText()).toContain('marked the post-incident review complete')
      await saveScreenshot(page, 'war-room-day-closed-1366')

      // The metrics page counts the SEV-1 resolved.
      await page.goto(`${desk.url}/metrics`)
      expect(await page.locator('dt:has-text("Resolved") + dd').first().innerText()).toMatch(/^1 of 1/)
      expect(record.consoleErrors).toEqual([])
    },
  )
})
