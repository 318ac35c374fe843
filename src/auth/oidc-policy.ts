import type { Tx } from '../db.ts'
import { findSsoSettings, type SsoSettings } from './oidc-queries.ts'

// Who may still sign in with an emailed link once an organization requires single sign-on.

/** The part after the last "@", lower case. */
export const domainOf = (email: string): string => email.slice(email.lastIndexOf('@') + 1).toLowerCase()

/** Whether the address is one of the organization's own people, as its SSO settings define them. */
export const isInsideCompany = (settings: Pick<SsoSettings, 'allowedDomains'>, email: string): boolean =>
  settings.allowedDomains.includes(domainOf(email))

/**
 * Emailed links keep working unless the org requires SSO; then only for the break-glass admin
 * (the way back in when the provider is down or misconfigured) and for people outside the
 * company (an address whose domain is not an allowed one, such as an outside approver).
 */
export function linkAllowedBy(settings: SsoSettings, user: { id: string; email: string; role: string }): boolean {
  if (!settings.enabled || !settings.requireSso) return true
  if (user.id === settings.breakGlassUserId && user.role === 'admin') return true
  return !isInsideCompany(settings, user.email)
}

/** linkAllowedBy for the transaction's organization. */
export async function magicLinkAllowed(tx: Tx, user: { id: string; email: string; role: string }): Promise<boolean> {
  return linkAllowedBy(await findSsoSettings(tx), user)
}
