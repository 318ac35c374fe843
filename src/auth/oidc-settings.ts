import { z } from 'zod'
import { recordAudit, type Actor } from '../audit/audit.ts'
import type { Db, Tx } from '../db.ts'
import type { Env } from '../env.ts'
import { sealSecret } from '../secrets/sealed.ts'
import { isIssuerUrl } from './oidc.ts'
import {
  findIdleMinutes,
  findSsoSettings,
  listEnabledAdmins,
  updateIdleMinutes,
  upsertSsoSettings,
  type SsoSettings,
} from './oidc-queries.ts'

// /admin/sso: the organization's provider, who must use it, and the idle timeout of sessions.

const checkbox = z
  .enum(['on'])
  .optional()
  .transform((v) => v === 'on')

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/

export const ssoFormSchema = z
  .object({
    enabled: checkbox,
    require_sso: checkbox,
    issuer_url: z
      .string()
      .trim()
      .max(500, 'Keep the issuer URL under 500 characters.')
      .refine((v) => v === '' || isIssuerUrl(v), 'Enter the issuer URL as the provider shows it (https://…).')
      .default(''),
    client_id: z.string().trim().max(300, 'Keep the client ID under 300 characters.').default(''),
    client_secret: z.string().trim().max(2000, 'Keep the client secret under 2,000 characters.').default(''),
    clear_client_secret: checkbox,
    allowed_domains: z
      .string()
      .max(3000)
      .default('')
      .transform((v) => [
        ...new Set(
          v
            .toLowerCase()
            .split(/[\s,;]+/)
            .filter(Boolean),
        ),
      ])
      .refine((list) => list.every((d) => DOMAIN.test(d)), 'Enter domains like example.com, separated by commas.')
      .refine((list) => list.length <= 50, 'At most 50 domains.'),
    break_glass_user_id: z.union([z.literal(''), z.uuid('Pick an admin from the list.')]).default(''),
    idle_minutes: z
      .string()
      .trim()
      .default('')
      .refine(
        (v) => v === '' || (/^\d{1,5}$/.test(v) && Number(v) >= 5 && Number(v) <= 43200),
        'Enter minutes from 5 to 43200, or leave it empty.',
      )
      .transform((v) => (v === '' ? null : Number(v))),
  })
  .superRefine((f, ctx) => {
    const missing = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message })
    if (f.enabled && !f.issuer_url) missing('issuer_url', 'Single sign-on needs the issuer URL.')
    if (f.enabled && !f.client_id) missing('client_id', 'Single sign-on needs the client ID.')
    if (f.enabled && f.allowed_domains.length === 0) missing('allowed_domains', 'Name at least one domain whose people sign in here.')
    if (f.require_sso && !f.enabled) missing('require_sso', 'Turn single sign-on on before requiring it.')
    if (f.require_sso && !f.break_glass_user_id) missing('break_glass_user_id', 'Requiring single sign-on needs a break-glass admin.')
  })

export type SsoForm = z.output<typeof ssoFormSchema>

export type SaveOutcome = { ok: true } | { ok: false; errors: Record<string, string> }

/** Saves the form (sealing a new secret) and audits what changed, never a secret itself. */
export async function saveSsoSettings(
  db: Db,
  tx: Tx,
  env: Pick<Env, 'SECRETS_KEY'>,
  orgId: string,
  f: SsoForm,
  actor: Actor,
): Promise<SaveOutcome> {
  const before = await findSsoSettings(tx, { lock: true })
  const admins = await listEnabledAdmins(tx)
  if (f.break_glass_user_id && !admins.some((a) => a.id === f.break_glass_user_id)) {
    return {
      ok: false,
      errors: {
        break_glass_user_id: 'Pick an enabled admin of this organization.',
      },
    }
  }
  const secretSealed = f.client_secret
    ? await sealSecret(db, env, orgId, f.client_secret)
    : f.clear_client_secret
      ? null
      : before.clientSecretSealed
  const after: SsoSettings = {
    enabled: f.enabled,
    issuerUrl: f.issuer_url || null,
    clientId: f.client_id || null,
    clientSecretSealed: secretSealed,
    allowedDomains: f.allowed_domains,
    requireSso: f.require_sso,
    breakGlassUserId: f.break_glass_user_id || null,
  }
  await upsertSsoSettings(tx, orgId, after)
  const idleBefore = await findIdleMinutes(tx, orgId)
  if (idleBefore !== f.idle_minutes) await updateIdleMinutes(tx, orgId, f.idle_minutes)
  const shown = (s: SsoSettings) => ({
    ...s,
    clientSecretSealed: undefined,
    clientSecretSet: s.clientSecretSealed !== null,
  })
  await recordAudit(tx, orgId, {
    actor,
    action: 'org.sso_change',
    details: {
      before: { ...shown(before), sessionIdleMinutes: idleBefore },
      after: { ...shown(after), sessionIdleMinutes: f.idle_minutes },
      secretChanged: secretSealed !== before.clientSecretSealed,
    },
  })
  return { ok: true }
}
