import { recordAudit, type Actor } from '../audit/audit.ts'
import { caseLabel } from '../cases/terms.ts'
import { withOrg, type Db } from '../db.ts'
import { AppError, notFound } from '../http/errors.ts'
import { recomputeClocks } from '../sla/clocks.ts'
import { closeTestCase, lockTestCase, type SetupOrg } from './queries.ts'

// The set-up page's test message: mail to the org's own address with a "+setup-<tag>" suffix
// goes the whole way in (the provider, the webhook and its signature, routing, intake) and opens
// a case that the database marks as a test (sql: mark_setup_test_case), so metrics and the
// digest leave it out. The tag is random per org: nobody outside can guess the address.

/** `escalations+setup-<tag>@acme.com` for the org's first inbound address; null without one. */
export function testAddress(org: Pick<SetupOrg, 'inboundAddresses' | 'setupTestTag'>): string | null {
  const address = org.inboundAddresses[0]
  const at = address?.lastIndexOf('@') ?? -1
  if (!address || at <= 0) return null
  const local = address.slice(0, at).split('+')[0]
  return `${local}+setup-${org.setupTestTag}${address.slice(at)}`.toLowerCase()
}

/** Single-quoted for a POSIX shell, whatever the value holds. */
const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`

/**
 * A shell command that writes a test complaint and posts it to /inbound/raw, signed as the README
 * describes, with INBOUND_SECRET taken from the operator's environment (never shown on the page).
 * Each run has its own Message-ID and subject, so every test opens a case of its own.
 */
export function testCommand(publicUrl: string, to: string): string {
  const url = new URL('/inbound/raw', publicUrl).toString()
  return [
    `ts=$(date +%s)`,
    `printf 'From: Desk Set-up Test <setup-test@example.com>\\r\\nTo: %s\\r\\nSubject: Set-up test %s: my order never arrived\\r\\nMessage-ID: <setup-%s@desk.invalid>\\r\\nDate: %s\\r\\nContent-Type: text/plain; charset=utf-8\\r\\n\\r\\nThis is a test complaint sent from the set-up page. My order never arrived.\\r\\n' ${shellQuote(to)} "$ts" "$ts" "$(date -R)" > setup-test.eml`,
    `sig=$({ printf 'v2.%s.%s\\n' "$ts" /inbound/raw; cat setup-test.eml; } | openssl dgst -sha256 -hmac "$INBOUND_SECRET" -hex | sed 's/^.* //')`,
    `curl -sS --data-binary @setup-test.eml -H 'Content-Type: message/rfc822' -H "X-Desk-Timestamp: $ts" -H "X-Desk-Signature: v2=$sig" ${shellQuote(url)}`,
  ].join('\n')
}

export type Discarded = { label: string; jobs: number; requests: number; sends: number }

/**
 * Discards a test case in one audited step. Cases are never deleted (the append-only audit trail
 * refers to them): the test case is closed, its draft job, open approval requests and unsent
 * replies stopped, and it stays marked as a test, which metrics and the digest leave out.
 */
export async function discardTestCase(db: Db, orgId: string, caseId: string, actor: Actor): Promise<Discarded> {
  return withOrg(db, orgId, async (tx) => {
    const kase = await lockTestCase(tx, caseId)
    if (!kase) throw notFound('That test case')
    if (kase.status === 'closed') throw new AppError('INVALID_STATE', `${caseLabel(kase.number)} was discarded already.`)
    const stopped = await closeTestCase(tx, caseId)
    await recomputeClocks(tx, orgId, caseId)
    await recordAudit(tx, orgId, { actor, action: 'case.discard_test', caseId, details: { from: kase.status, ...stopped } })
    return { label: caseLabel(kase.number), ...stopped }
  })
}
