import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { bounceMessage, readDeliveryReport } from '../../src/outbound/bounces.ts'
import { evalRoot } from '../eval/intake-eval.ts'

const fixture = async (name: string) => new Uint8Array(await readFile(join(evalRoot, 'main', 'not-escalations', name)))
const text = (lines: string[]) => new TextEncoder().encode(lines.join('\r\n'))

describe('reading a delivery report about a reply we sent', () => {
  it("a final refusal: failed, with the server's own words (folded lines joined)", async () => {
    const report = readDeliveryReport(await fixture('020-postfix-bounce-of-desk-reply-existing-case.eml'))
    expect(report).toEqual({
      action: 'failed',
      status: '5.2.2',
      recipient: 'marc.bernard@free.fr',
      diagnostic: '552 5.2.2 <marc.bernard@free.fr>: Recipient address rejected: Quota exceeded',
    })
    expect(bounceMessage(report)).toBe(
      "The customer's server refused the reply: 552 5.2.2 <marc.bernard@free.fr>: Recipient address rejected: Quota exceeded",
    )
  })

  it('a delay warning is not a failure', async () => {
    expect(readDeliveryReport(await fixture('021-postfix-delay-warning-desk-reply-existing-case.eml'))).toMatchObject({
      action: 'delayed',
      status: '4.4.1',
    })
  })

  it('a mailbox header "Status: RO" above the report is not its status', () => {
    const report = readDeliveryReport(
      text(['Status: RO', 'Subject: Undelivered Mail', '', 'Reporting-MTA: dns; mx.example', '', 'Action: failed', 'Status: 5.1.1', '']),
    )
    expect(report).toMatchObject({ action: 'failed', status: '5.1.1' })
  })

  it('a report with only words (no machine-readable part) is read from them', () => {
    const gmail = readDeliveryReport(
      text([
        'From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>',
        'Subject: Delivery Status Notification (Failure)',
        '',
        'Delivery to the following recipient failed permanently:',
        '',
        '     pat@customer.test',
        '',
        'The error that the other server returned was:',
        '550 5.1.1 The email account that you tried to reach does not exist.',
        '',
      ]),
    )
    expect(gmail).toMatchObject({ action: 'failed', diagnostic: '550 5.1.1 The email account that you tried to reach does not exist.' })
  })
})
