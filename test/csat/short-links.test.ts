// The resolution mail's short links (src/csat/links.ts): 68 characters that name the org and the
// stored link and carry a MAC over both and the purpose. Any change to any part is refused.
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { randomToken } from '../../src/auth/crypto.ts'
import { shortCustomerToken, verifyCustomerLink } from '../../src/csat/links.ts'

const key = crypto.getRandomValues(new Uint8Array(32))
const orgId = randomUUID()

describe('short customer link tokens', () => {
  it('verify for their purpose and name the org and the stored link', async () => {
    const jti = randomToken(18)
    const token = await shortCustomerToken(key, { orgId, jti, purpose: 'csat' })
    expect(token).toMatch(/^[\w-]{68}$/)
    const check = await verifyCustomerLink(key, token, 'csat')
    expect(check).toMatchObject({ ok: true, claims: { orgId, jti, purpose: 'csat', caseId: '' } })
  })

  it('refuse another purpose, another key, and a change anywhere in the token', async () => {
    const token = await shortCustomerToken(key, { orgId, jti: randomToken(18), purpose: 'confirm_resolution' })
    expect(await verifyCustomerLink(key, token, 'csat')).toEqual({ ok: false, reason: 'invalid' })
    expect(await verifyCustomerLink(crypto.getRandomValues(new Uint8Array(32)), token, 'confirm_resolution')).toEqual({
      ok: false,
      reason: 'invalid',
    })
    for (const at of [0, 10, 21, 22, 30, 45, 46, 60, 67]) {
      const changed = token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1)
      expect((await verifyCustomerLink(key, changed, 'confirm_resolution')).ok, `changed at ${at}`).toBe(false)
    }
    // Another org's id with this link's jti and MAC.
    const other = (await shortCustomerToken(key, { orgId: randomUUID(), jti: token.slice(22, 46), purpose: 'confirm_resolution' })).slice(
      0,
      22,
    )
    expect((await verifyCustomerLink(key, other + token.slice(22), 'confirm_resolution')).ok).toBe(false)
  })
})
