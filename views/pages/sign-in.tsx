import { Layout } from '../components/layout.tsx'

export type SignInState = { kind: 'form'; error?: string; email?: string } | { kind: 'sent' } | { kind: 'rate_limited' }

/** GET /sign-in and the answer to POST /sign-in (the same for known and unknown addresses). */
export function SignInPage({ state, devMailbox }: { state: SignInState; devMailbox: boolean }) {
  return (
    <Layout title="Sign in" user={null}>
      <section class="panel narrow" id="sign-in">
        <h1>Sign in</h1>
        {state.kind === 'sent' ? (
          <p role="status">If that address has access, a link is on its way. It works once and expires in 15 minutes.</p>
        ) : null}
        {state.kind === 'rate_limited' ? (
          <p role="alert" class="error">
            Too many sign-in links were requested from your network. Wait 15 minutes, then try again.
          </p>
        ) : null}
        {state.kind === 'form' ? <p>Enter your work email address and we will email you a sign-in link.</p> : null}
        <form method="post" action="/sign-in">
          <label for="email">Email address</label>
          <input
            id="email"
            name="email"
            type="email"
            required
            autocomplete="email"
            maxlength={320}
            value={state.kind === 'form' ? (state.email ?? '') : ''}
          />
          {state.kind === 'form' && state.error ? <p class="field-error">{state.error}</p> : null}
          <button type="submit">{state.kind === 'form' ? 'Email me a link' : 'Send another link'}</button>
        </form>
        <p>
          <a href="/sign-in/sso">Sign in with single sign-on</a>
        </p>
        {devMailbox ? (
          <p class="muted">
            No mail service is configured: sign-in mail is kept in the <a href="/dev/mailbox">dev mailbox</a>.
          </p>
        ) : null}
      </section>
    </Layout>
  )
}

/** GET /sign-in/confirm: shows a button and changes nothing (mail scanners open links). */
export function ConfirmSignInPage({ token }: { token: string }) {
  return (
    <Layout title="Confirm sign-in" user={null}>
      <section class="panel narrow">
        <h1>Sign in to Escalation Desk</h1>
        <form method="post" action="/sign-in/confirm">
          <input type="hidden" name="token" value={token} />
          <button type="submit">Continue and sign in</button>
        </form>
      </section>
    </Layout>
  )
}

const problems = {
  expired: 'This sign-in link has expired. Links work for 15 minutes.',
  used: 'This sign-in link has already been used. Each link works once.',
  invalid: 'This sign-in link is not valid. It may have been cut short or changed.',
  no_access: 'This sign-in link is not valid for your account any more.',
  sso_required: 'Your organization signs in with single sign-on; emailed links no longer sign you in.',
} as const

export type LinkProblem = keyof typeof problems

export function SignInLinkProblemPage({ reason }: { reason: LinkProblem }) {
  return (
    <Layout title="Sign-in link not usable" user={null}>
      <section class="panel narrow">
        <h1>That link cannot sign you in</h1>
        <p>{problems[reason]}</p>
        <p>
          {reason === 'sso_required' ? (
            <a href="/sign-in/sso">Sign in with single sign-on</a>
          ) : (
            <a href="/sign-in">Request a new sign-in link</a>
          )}
        </p>
      </section>
    </Layout>
  )
}
