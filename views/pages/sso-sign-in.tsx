import { Layout } from '../components/layout.tsx'

export type SsoOrg = { slug: string; name: string }
export type SsoStartState = { orgs: SsoOrg[]; email?: string; error?: string }

/**
 * GET /sign-in/sso: with ?org=SLUG (or after an address whose domain several orgs use) a button
 * per organization; else a field for the work address. Changes nothing: only the POST starts a
 * sign-in at the provider.
 */
export function SsoStartPage({ state }: { state: SsoStartState }) {
  return (
    <Layout title="Single sign-on" user={null}>
      <section class="panel narrow" id="sso-sign-in">
        <h1>Sign in with single sign-on</h1>
        {state.error ? (
          <p role="alert" class="error">
            {state.error}
          </p>
        ) : null}
        {state.orgs.length > 0 ? (
          state.orgs.map((org) => (
            <form method="post" action="/sign-in/sso">
              <input type="hidden" name="org" value={org.slug} />
              <button type="submit">Continue to {org.name}’s sign-in</button>
            </form>
          ))
        ) : (
          <form method="post" action="/sign-in/sso">
            <label for="sso-email">Work email address</label>
            <input id="sso-email" name="email" type="email" required autocomplete="email" maxlength={320} value={state.email ?? ''} />
            <button type="submit">Continue</button>
          </form>
        )}
        <p>
          <a href="/sign-in">Sign in with an emailed link instead</a>
        </p>
      </section>
    </Layout>
  )
}

const problems = {
  unknown_org: 'There is no organization by that name.',
  not_configured: 'This organization does not sign in with single sign-on. Ask for an emailed link instead.',
  provider_failed: 'The identity provider could not be reached or answered in a way the desk does not accept. Try again in a minute.',
  expired: 'This sign-in was not started in this browser, was used already, or took longer than 10 minutes. Start again.',
  refused: 'The identity provider’s answer did not pass the checks (it may be for another application, expired or altered). Start again.',
  unverified_email: 'The identity provider did not confirm that your email address is verified.',
  domain_not_allowed: 'Your address is not at a domain this organization signs in with single sign-on.',
  no_access: 'Your account in this organization is disabled. Ask an admin.',
} as const

export type SsoProblem = keyof typeof problems

export function SsoProblemPage({ reason }: { reason: SsoProblem }) {
  return (
    <Layout title="Single sign-on failed" user={null}>
      <section class="panel narrow">
        <h1>That did not sign you in</h1>
        <p>{problems[reason]}</p>
        <p>
          <a href="/sign-in/sso">Start single sign-on again</a> · <a href="/sign-in">Sign in with an emailed link</a>
        </p>
      </section>
    </Layout>
  )
}
