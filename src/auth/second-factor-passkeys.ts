import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransport,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server'
import type { AppDeps } from '../http/app-env.ts'
import { withOrg } from '../db.ts'
import {
  insertPasskey,
  listPasskeys,
  recordPasskeyUse,
  saveChallenge,
  takeChallenge,
  type ChallengePurpose,
} from './second-factor-queries.ts'

// Passkeys (WebAuthn) through @simplewebauthn/server. The relying party is PUBLIC_URL: its host
// is the rpID and its origin the only origin accepted, so a passkey works at that address only.
// Each challenge belongs to one session and one purpose, lives 5 minutes and answers once.

type Deps = Pick<AppDeps, 'db' | 'env'>
export type PasskeyActor = { sessionId: string; user: { id: string; orgId: string; email: string; name: string; orgName: string } }
export type PasskeyResult = { ok: true } | { ok: false; reason: 'expired' | 'refused' }

const CHALLENGE_SECONDS = 5 * 60

function relyingParty(env: Deps['env']) {
  const url = new URL(env.PUBLIC_URL)
  return { rpID: url.hostname, origin: url.origin }
}

async function keepChallenge(deps: Deps, actor: PasskeyActor, purpose: ChallengePurpose, challenge: string) {
  const expiresAt = new Date(Date.now() + CHALLENGE_SECONDS * 1000)
  await withOrg(deps.db, actor.user.orgId, (tx) =>
    saveChallenge(tx, { sessionId: actor.sessionId, purpose, orgId: actor.user.orgId, userId: actor.user.id, challenge, expiresAt }),
  )
}

const transportsOf = (list: string[]) => list as AuthenticatorTransport[]

/** The options for navigator.credentials.create(), excluding the user's existing passkeys. */
export async function passkeyRegistrationOptions(deps: Deps, actor: PasskeyActor) {
  const existing = await withOrg(deps.db, actor.user.orgId, (tx) => listPasskeys(tx, actor.user.id))
  const options = await generateRegistrationOptions({
    rpName: `Escalation Desk (${actor.user.orgName})`,
    rpID: relyingParty(deps.env).rpID,
    userName: actor.user.email,
    userDisplayName: actor.user.name || actor.user.email,
    userID: new TextEncoder().encode(actor.user.id),
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: transportsOf(p.transports) })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    timeout: CHALLENGE_SECONDS * 1000,
  })
  await keepChallenge(deps, actor, 'register', options.challenge)
  return options
}

/** Verifies the browser's answer to the session's registration challenge and keeps the credential. */
export async function registerPasskey(deps: Deps, actor: PasskeyActor, response: unknown, name: string): Promise<PasskeyResult> {
  const { rpID, origin } = relyingParty(deps.env)
  return withOrg(deps.db, actor.user.orgId, async (tx): Promise<PasskeyResult> => {
    const challenge = await takeChallenge(tx, actor.sessionId, 'register', actor.user.id)
    if (!challenge) return { ok: false, reason: 'expired' }
    const verified = await verifyRegistrationResponse({
      response: response as RegistrationResponseJSON,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: false,
    }).catch(() => null)
    if (!verified?.verified) return { ok: false, reason: 'refused' }
    const { credential } = verified.registrationInfo
    const saved = await insertPasskey(tx, {
      orgId: actor.user.orgId,
      userId: actor.user.id,
      credentialId: credential.id,
      publicKey: credential.publicKey,
      signCount: credential.counter,
      transports: credential.transports ?? [],
      name,
    })
    return saved ? { ok: true } : { ok: false, reason: 'refused' }
  })
}

/** The options for navigator.credentials.get(): the user's own passkeys only. */
export async function passkeyAuthenticationOptions(deps: Deps, actor: PasskeyActor) {
  const existing = await withOrg(deps.db, actor.user.orgId, (tx) => listPasskeys(tx, actor.user.id))
  const options = await generateAuthenticationOptions({
    rpID: relyingParty(deps.env).rpID,
    allowCredentials: existing.map((p) => ({ id: p.credentialId, transports: transportsOf(p.transports) })),
    userVerification: 'preferred',
    timeout: CHALLENGE_SECONDS * 1000,
  })
  await keepChallenge(deps, actor, 'authenticate', options.challenge)
  return options
}

/**
 * Verifies an assertion for the session's challenge with one of the user's own passkeys (a
 * passkey of another user, or of another org, is not found). A signature counter that does not
 * move forward means a cloned authenticator, unless the authenticator keeps no counter (0).
 */
export async function authenticatePasskey(deps: Deps, actor: PasskeyActor, response: unknown): Promise<PasskeyResult> {
  const { rpID, origin } = relyingParty(deps.env)
  const answer = response as AuthenticationResponseJSON
  return withOrg(deps.db, actor.user.orgId, async (tx): Promise<PasskeyResult> => {
    const challenge = await takeChallenge(tx, actor.sessionId, 'authenticate', actor.user.id)
    if (!challenge) return { ok: false, reason: 'expired' }
    const passkey = (await listPasskeys(tx, actor.user.id)).find((p) => typeof answer?.id === 'string' && p.credentialId === answer.id)
    if (!passkey) return { ok: false, reason: 'refused' }
    const verified = await verifyAuthenticationResponse({
      response: answer,
      expectedChallenge: challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(passkey.publicKey),
        counter: passkey.signCount,
        transports: transportsOf(passkey.transports),
      },
      requireUserVerification: false,
    }).catch(() => null)
    if (!verified?.verified) return { ok: false, reason: 'refused' }
    const used = await recordPasskeyUse(tx, passkey.id, passkey.signCount, verified.authenticationInfo.newCounter)
    return used ? { ok: true } : { ok: false, reason: 'refused' }
  })
}
