import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto'

// A passkey in software, speaking WebAuthn as a browser and platform authenticator do: an ES256
// key pair, "none" attestation, authenticatorData with the rpIdHash, flags and signature counter,
// and clientDataJSON. It answers the options the desk hands out, like navigator.credentials.

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')
const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest()

// The few CBOR shapes WebAuthn needs (RFC 8949): small ints, byte and text strings, maps.
function head(major: number, length: number): Buffer {
  if (length < 24) return Buffer.from([(major << 5) | length])
  if (length < 256) return Buffer.from([(major << 5) | 24, length])
  return Buffer.from([(major << 5) | 25, length >> 8, length & 0xff])
}
type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>
function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value)
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)])
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value])
  return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])])
}

const UP = 0x01
const UV = 0x04
const AT = 0x40

export type ClientOverrides = { origin?: string; challenge?: string; type?: string; rpId?: string }

export class SoftwareAuthenticator {
  readonly credentialId = randomBytes(16)
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  counter = 0

  constructor(readonly origin = 'http://localhost:8787') {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    this.privateKey = pair.privateKey
    this.publicKey = pair.publicKey
  }

  get id() {
    return b64url(this.credentialId)
  }

  private coseKey(): Buffer {
    const jwk = this.publicKey.export({ format: 'jwk' })
    return cbor(
      new Map<Cbor, Cbor>([
        [1, 2], // kty: EC2
        [3, -7], // alg: ES256
        [-1, 1], // crv: P-256
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    )
  }

  private clientData(type: string, challenge: string, o: ClientOverrides) {
    return Buffer.from(
      JSON.stringify({ type: o.type ?? type, challenge: o.challenge ?? challenge, origin: o.origin ?? this.origin, crossOrigin: false }),
    )
  }

  private authData(rpId: string, flags: number, extra: Buffer = Buffer.alloc(0)) {
    const count = Buffer.alloc(4)
    count.writeUInt32BE(this.counter)
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, extra])
  }

  /** navigator.credentials.create() with the options' challenge and rp.id. */
  register(options: { challenge: string; rp: { id?: string } }, o: ClientOverrides = {}) {
    const idLength = Buffer.alloc(2)
    idLength.writeUInt16BE(this.credentialId.length)
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, this.coseKey()])
    const authData = this.authData(o.rpId ?? options.rp.id ?? 'localhost', UP | UV | AT, attested)
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    )
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: {
        clientDataJSON: b64url(this.clientData('webauthn.create', options.challenge, o)),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
      },
      clientExtensionResults: {},
    }
  }

  /** navigator.credentials.get(): signs authenticatorData || SHA-256(clientDataJSON), counting up. */
  assert(options: { challenge: string; rpId?: string }, o: ClientOverrides & { signWith?: KeyObject; keepCounter?: boolean } = {}) {
    if (!o.keepCounter) this.counter++
    const authData = this.authData(o.rpId ?? options.rpId ?? 'localhost', UP | UV)
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, o)
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), o.signWith ?? this.privateKey)
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      response: { clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authData), signature: b64url(signature) },
      clientExtensionResults: {},
    }
  }
}
