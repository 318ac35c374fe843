import { raw } from 'hono/html'
import type { FactorSummary } from '../../src/auth/second-factor-queries.ts'
import { Flash } from '../components/parts.tsx'
import { Layout, useNonce } from '../components/layout.tsx'
import { totpQrSvg } from '../../src/auth/second-factor-qr.ts'
import { passkeyScript } from './second-factor-script.ts'

// /second-factor: pass the factor after the emailed link, or set one up (an authenticator app,
// a passkey), and the recovery codes that come with the first one.

function PasskeyScript() {
  return <script nonce={useNonce()}>{raw(passkeyScript)}</script>
}

function SignOut() {
  return (
    <form method="post" action="/sign-out">
      <button type="submit" class="secondary">
        Sign out
      </button>
    </form>
  )
}

/** A pending session whose user has a factor: a code (app or recovery) or a passkey. */
export function SecondFactorVerifyPage({ summary, error }: { summary: FactorSummary; error?: string | null }) {
  return (
    <Layout title="Second factor" user={null}>
      <h1>Confirm it is you</h1>
      <Flash error={error} focus />
      {summary.passkeys > 0 ? (
        <form method="post" action="/second-factor/passkey" class="panel">
          <h2>With your passkey</h2>
          <input type="hidden" name="response" value="" />
          <button type="button" data-passkey="authenticate" data-options="/second-factor/passkey/options" data-status="passkey-status">
            Use my passkey
          </button>
          <p id="passkey-status" class="muted" role="status"></p>
        </form>
      ) : null}
      <form method="post" action="/second-factor/verify" class="panel">
        <h2>With a code</h2>
        <label for="second-factor-code">
          {summary.totp ? 'The 6-digit code from your authenticator app, or a recovery code' : 'A recovery code'}
        </label>
        <input id="second-factor-code" name="code" autocomplete="one-time-code" inputmode="text" required maxlength={64} />
        <button type="submit">Continue</button>
      </form>
      <p class="muted">Lost your phone or passkey and your recovery codes? An admin of your organization can reset your second factor.</p>
      <SignOut />
      {summary.passkeys > 0 ? <PasskeyScript /> : null}
    </Layout>
  )
}

type ManageProps = {
  summary: FactorSummary
  /** The org requires a factor this user has not set up: the session can do nothing else yet. */
  mustEnrol: boolean
  notice?: string | null
  error?: string | null
}

/** The user's factors: what is set up, add an app or a passkey, new recovery codes. */
export function SecondFactorPage({ summary, mustEnrol, notice, error }: ManageProps) {
  return (
    <Layout title="Second factor" user={mustEnrol ? null : undefined}>
      <h1>Second factor</h1>
      <Flash notice={notice} error={error} />
      {mustEnrol ? (
        <p class="panel" role="alert">
          Your organization requires a second factor for admins and approvers. Set one up to continue.
        </p>
      ) : null}
      <p class="muted">
        After the emailed link, the desk asks for it at every sign-in. An approval link asks for a code, unless that browser is already
        signed in as you.
      </p>
      <section class="panel" aria-labelledby="totp-title">
        <h2 id="totp-title">Authenticator app</h2>
        {summary.totp ? (
          <p>Set up.</p>
        ) : (
          <form method="post" action="/second-factor/totp">
            <button type="submit">Set up an authenticator app</button>
          </form>
        )}
      </section>
      <section class="panel" aria-labelledby="passkeys-title">
        <h2 id="passkeys-title">Passkeys</h2>
        <p>{summary.passkeys === 0 ? 'None yet.' : `${summary.passkeys} set up.`}</p>
        <form method="post" action="/second-factor/passkeys">
          <input type="hidden" name="response" value="" />
          <label for="passkey-name">Name (to tell them apart)</label>
          <input id="passkey-name" name="name" maxlength={60} value="Passkey" />
          <button type="button" data-passkey="register" data-options="/second-factor/passkeys/options" data-status="passkey-status">
            Add a passkey
          </button>
          <p id="passkey-status" class="muted" role="status"></p>
        </form>
      </section>
      {summary.totp || summary.passkeys > 0 ? (
        <section class="panel" aria-labelledby="recovery-title">
          <h2 id="recovery-title">Recovery codes</h2>
          <p>{summary.recoveryCodesLeft} of 10 unused. Each works once, in place of your app or passkey.</p>
          {mustEnrol ? null : (
            <form method="post" action="/second-factor/recovery-codes">
              <button type="submit" class="secondary">
                Make 10 new codes (the old ones stop working)
              </button>
            </form>
          )}
        </section>
      ) : null}
      {mustEnrol ? <SignOut /> : null}
      <PasskeyScript />
    </Layout>
  )
}

/** The new seed, shown as an otpauth:// URI and as its base32 secret; the first code confirms it. */
export function TotpSetupPage({ secret, uri, error }: { secret: string; uri: string; error?: string | null }) {
  return (
    <Layout title="Set up an authenticator app" user={null}>
      <h1>Set up an authenticator app</h1>
      <Flash error={error} focus />
      <p>
        Add this account to your authenticator app (1Password, Google Authenticator, Microsoft Authenticator…): scan the QR code with it,
        open the link on the phone, or paste the key into the app.
      </p>
      <style nonce={useNonce()}>{raw(qrStyles)}</style>
      <figure class="totp-qr-figure">
        {raw(totpQrSvg(uri, 'QR code of the authenticator link below: scan it with the app'))}
        <figcaption>The same account as the key and the link below.</figcaption>
      </figure>
      <label for="totp-secret">Key (base32)</label>
      <input id="totp-secret" type="text" readonly value={secret} size={40} />
      <p class="totp-uri">
        <a href={uri}>{uri}</a>
      </p>
      <form method="post" action="/second-factor/totp/confirm" class="panel">
        <label for="totp-code">The 6-digit code the app now shows</label>
        <input id="totp-code" name="code" autocomplete="one-time-code" inputmode="numeric" pattern="[0-9]{6}" required maxlength={6} />
        <button type="submit">Confirm</button>
      </form>
    </Layout>
  )
}

// The code keeps its white quiet zone in dark mode, and shrinks with a phone's screen (300 px
// at most: 4.9 px a module; at 390 px wide it is drawn whole); the long link and the key wrap
// and shrink instead of pushing the page sideways.
const qrStyles = `.totp-qr-figure{margin:1rem 0}.totp-qr{display:block;width:min(300px,100%);height:auto;background:#fff}
.totp-qr-figure figcaption{font-size:.9em}.totp-uri{overflow-wrap:anywhere}#totp-secret{max-width:100%}`

/** Ten recovery codes, on this one page only. */
export function RecoveryCodesPage({ codes, title }: { codes: string[]; title: string }) {
  return (
    <Layout title="Recovery codes" user={null}>
      <h1>{title}</h1>
      <p>
        Keep these recovery codes somewhere safe, away from your phone. Each one works once, in place of your app or passkey. They are shown
        only now; the desk keeps only their hashes.
      </p>
      <ul id="recovery-codes" class="recovery-codes">
        {codes.map((code) => (
          <li>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <p>
        <a href="/">Continue to the desk</a>
      </p>
    </Layout>
  )
}

/** The approval link's second factor, beside its buttons (src/auth/second-factor-admin.ts approvalFactorAsk). */
export function ApprovalSecondFactorField({ ask }: { ask: 'code' | 'enrol' | null | undefined }) {
  if (ask === 'enrol') {
    return (
      <p class="flash error" role="alert">
        Your organization requires a second factor to decide: <a href="/sign-in">sign in</a> and set one up first.
      </p>
    )
  }
  if (ask !== 'code') return null
  return (
    <label class="field">
      <span>
        Second factor: the 6-digit code from your authenticator app, or a recovery code (or sign in with your passkey in this browser, then
        reload this page)
      </span>
      <input name="secondFactorCode" autocomplete="one-time-code" maxlength={64} />
    </label>
  )
}
