import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'

/** Who signs in at the stand-in next, and how its ID token is bent for an attack. */
export type Identity = {
  email: string
  emailVerified?: boolean
  name?: string
  sub?: string
  /** Claims to replace or add in the ID token (aud, iss, exp, nonce…). */
  claims?: Record<string, unknown>
  /** Sign with a key the JWKS does not hold (a forged token). */
  forged?: boolean
}

type Grant = {
  identity: Identity
  clientId: string
  redirectUri: string
  challenge: string | null
  nonce: string | null
}

/**
 * A local OpenID Connect provider as Google, Entra ID or Okta behave for a web app: a discovery
 * document, a JWKS (ES256), an authorization endpoint that redirects back with a code (the test
 * says who signs in), and a token endpoint that checks the client secret, the redirect URI and the
 * PKCE verifier (S256) before returning an ID token signed with its key. Records what it was asked.
 */
export async function startOidcProvider(client: { clientId: string; clientSecret: string }) {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const forgedKey = (await generateKeyPair('ES256')).privateKey
  const jwk: JWK = {
    ...(await exportJWK(publicKey)),
    kid: 'stand-in-1',
    alg: 'ES256',
    use: 'sig',
  }
  const grants = new Map<string, Grant>()
  const tokenRequests: URLSearchParams[] = []
  const authorizeRequests: URLSearchParams[] = []
  let next: Identity = { email: 'nobody@example.test' }
  let issuer = ''

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
    })
    res.end(JSON.stringify(body))
  }

  async function idToken(grant: Grant, key: CryptoKey): Promise<string> {
    const now = Math.floor(Date.now() / 1000)
    const claims = {
      iss: issuer,
      aud: grant.clientId,
      sub: grant.identity.sub ?? createHash('sha256').update(grant.identity.email).digest('hex').slice(0, 20),
      email: grant.identity.email,
      email_verified: grant.identity.emailVerified ?? true,
      name: grant.identity.name ?? 'Stand-in Person',
      iat: now,
      exp: now + 300,
      ...(grant.nonce ? { nonce: grant.nonce } : {}),
      ...grant.identity.claims,
    }
    return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'stand-in-1', typ: 'JWT' }).sign(key)
  }

  function authorize(url: URL, res: ServerResponse) {
    const q = url.searchParams
    authorizeRequests.push(q)
    const redirectUri = q.get('redirect_uri') ?? ''
    if (q.get('client_id') !== client.clientId || q.get('response_type') !== 'code' || !redirectUri) {
      return json(res, 400, { error: 'invalid_request' })
    }
    const code = randomBytes(16).toString('hex')
    grants.set(code, {
      identity: next,
      clientId: client.clientId,
      redirectUri,
      challenge: q.get('code_challenge'),
      nonce: q.get('nonce'),
    })
    const back = new URL(redirectUri)
    back.searchParams.set('code', code)
    const state = q.get('state')
    if (state) back.searchParams.set('state', state)
    res.writeHead(302, { location: back.href })
    res.end()
  }

  async function token(body: URLSearchParams, res: ServerResponse) {
    tokenRequests.push(body)
    const grant = grants.get(body.get('code') ?? '')
    grants.delete(body.get('code') ?? '') // codes work once
    if (body.get('client_id') !== client.clientId || body.get('client_secret') !== client.clientSecret) {
      return json(res, 401, { error: 'invalid_client' })
    }
    if (body.get('grant_type') !== 'authorization_code' || !grant) return json(res, 400, { error: 'invalid_grant' })
    if (body.get('redirect_uri') !== grant.redirectUri)
      return json(res, 400, {
        error: 'invalid_grant',
        error_description: 'redirect_uri',
      })
    const verifier = body.get('code_verifier') ?? ''
    const challenge = createHash('sha256').update(verifier).digest('base64url')
    if (!grant.challenge || challenge !== grant.challenge)
      return json(res, 400, {
        error: 'invalid_grant',
        error_description: 'PKCE',
      })
    const signed = await idToken(grant, grant.identity.forged ? forgedKey : privateKey)
    return json(res, 200, {
      access_token: randomBytes(16).toString('hex'),
      token_type: 'Bearer',
      expires_in: 300,
      id_token: signed,
    })
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = ''
    req.on('data', (chunk) => (raw += chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', issuer)
      if (req.method === 'GET' && url.pathname === '/.well-known/openid-configuration') {
        return json(res, 200, {
          issuer,
          authorization_endpoint: `${issuer}/authorize`,
          token_endpoint: `${issuer}/token`,
          jwks_uri: `${issuer}/jwks`,
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['ES256'],
          code_challenge_methods_supported: ['S256'],
          token_endpoint_auth_methods_supported: ['client_secret_post'],
          scopes_supported: ['openid', 'email', 'profile'],
        })
      }
      if (req.method === 'GET' && url.pathname === '/jwks') return json(res, 200, { keys: [jwk] })
      if (req.method === 'GET' && url.pathname === '/authorize') return authorize(url, res)
      if (req.method === 'POST' && url.pathname === '/token') return void token(new URLSearchParams(raw), res)
      json(res, 404, { error: 'not_found' })
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    issuer,
    /** The person the next authorization signs in. */
    signInAs(identity: Identity) {
      next = identity
    },
    authorizeRequests,
    tokenRequests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
