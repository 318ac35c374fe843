import { randomBytes, randomUUID } from 'node:crypto'
import { afterAll, describe, expect, it } from 'vitest'
import { openSecret, sealSecret, secretHint, UnsealError } from '../../src/secrets/sealed.ts'
import { testDb } from '../support/db.ts'

const db = testDb(2)
afterAll(() => db.end())

describe('integration secrets at rest', () => {
  const org = randomUUID()

  it('seals with the generated key when SECRETS_KEY is unset, and opens again', async () => {
    const url = 'https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX'
    const sealed = await sealSecret(db, {}, org, url)
    expect(sealed).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/)
    expect(sealed).not.toContain('hooks.slack.com')
    expect(await openSecret(db, {}, org, sealed)).toBe(url)
    // A fresh IV each time: the same secret never seals to the same text.
    expect(await sealSecret(db, {}, org, url)).not.toBe(sealed)
  })

  it('does not open in another organization, with another key, or when tampered with', async () => {
    const key = randomBytes(32).toString('base64')
    const sealed = await sealSecret(db, { SECRETS_KEY: key }, org, 'xoxb-secret-token')
    expect(await openSecret(db, { SECRETS_KEY: key }, org, sealed)).toBe('xoxb-secret-token')
    await expect(openSecret(db, { SECRETS_KEY: key }, randomUUID(), sealed)).rejects.toBeInstanceOf(UnsealError)
    await expect(openSecret(db, { SECRETS_KEY: randomBytes(32).toString('base64') }, org, sealed)).rejects.toBeInstanceOf(UnsealError)
    await expect(openSecret(db, {}, org, sealed)).rejects.toBeInstanceOf(UnsealError)
    const [v, iv, body] = sealed.split(':')
    const flipped = Buffer.from(body!, 'base64')
    flipped[0]! ^= 1
    await expect(openSecret(db, { SECRETS_KEY: key }, org, `${v}:${iv}:${flipped.toString('base64')}`)).rejects.toThrow(/SECRETS_KEY/)
    await expect(openSecret(db, { SECRETS_KEY: key }, org, 'plain text')).rejects.toBeInstanceOf(UnsealError)
  })

  it('shows only a hint of a stored secret', () => {
    expect(secretHint('xoxb-1234567890-abcdef')).toBe('set, ending …cdef')
    expect(secretHint('short')).toBe('set')
  })
})
