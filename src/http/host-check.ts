import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from './app-env.ts'
import type { Env } from '../env.ts'
import { isMachinePath } from './security.ts'

// DNS rebinding: a page on a name the attacker controls is re-pointed at the desk's address, and
// the browser, believing it talks to the attacker's site, lets that page read the desk's answers
// (the dev mailbox, with live sign-in and approval links). The browser still sends the
// attacker's name as Host, so the desk answers only for its own names. Loopback names are always
// allowed: an attacker cannot serve a page from them, and they are how a developer (and a proxy
// on the same machine) reaches the desk.

const loopbackNames = new Set(['localhost', '127.0.0.1', '[::1]'])

/** A host name as URL.hostname spells it (lower case, IPv6 in brackets), or null if it is none. */
function hostnameOf(hostAndPort: string): string | null {
  try {
    return new URL(`http://${hostAndPort}`).hostname || null
  } catch {
    return null
  }
}

export function isLoopbackName(hostname: string): boolean {
  return loopbackNames.has(hostname.toLowerCase())
}

/**
 * The name the browser asked for. Behind a trusted proxy that is X-Forwarded-Host when the proxy
 * sets it (the last entry: the one the proxy added; it may reach the desk as 127.0.0.1), else
 * Host. Without TRUST_PROXY, X-Forwarded-Host is anyone's to send and is ignored.
 */
export function requestedHostname(c: Context<AppEnv>, trustProxy: boolean): string | null {
  if (trustProxy) {
    const forwarded = c.req
      .header('x-forwarded-host')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .at(-1)
    if (forwarded) return hostnameOf(forwarded)
  }
  // Node builds the request URL from the Host header; Workers from the URL Cloudflare received.
  return new URL(c.req.url).hostname
}

/**
 * Refuses requests for any name but PUBLIC_URL's host and the loopback names, before routing.
 * Machine paths are left to their own checks: webhooks are signed, health probes come by IP
 * (load balancers, Kubernetes), static files are public, and none answers anything secret.
 */
export function hostCheck(env: Pick<Env, 'PUBLIC_URL' | 'TRUST_PROXY'>): MiddlewareHandler<AppEnv> {
  const publicName = new URL(env.PUBLIC_URL).hostname
  return async (c, next) => {
    if (isMachinePath(c.req.path)) return next()
    const name = requestedHostname(c, env.TRUST_PROXY)
    if (name !== null && (name === publicName || isLoopbackName(name))) return next()
    return c.text(`Misdirected request: this desk answers as ${publicName}, not as ${name ?? 'an unnamed host'}.\n`, 421)
  }
}
