import { z } from 'zod'

// Every setting the desk reads, parsed once. Keep this list, .env.example and the README's
// configuration table in the same order: a test holds them to each other.
const flagValue = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'], { error: 'expected 1 or 0' })
  .optional()
  .transform((v) => (v === undefined ? undefined : ['1', 'true', 'yes'].includes(v)))
const flag = (fallback: boolean) => flagValue.transform((v) => v ?? fallback)

const postgresUrl = z.url({ protocol: /^postgres(ql)?$/, error: 'expected a postgres:// URL' }).optional()

export const envSchema = z.object({
  PORT: z.coerce
    .number({ error: 'expected a port number' })
    .int('expected a whole port number')
    .min(1, 'expected a port from 1 to 65535')
    .max(65535, 'expected a port from 1 to 65535')
    .default(8787),
  HOST: z.string().min(1, 'expected a host name or address').default('127.0.0.1'),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s):// URL' }).optional(),
  DATABASE_URL: postgresUrl,
  // Migrations take a direct connection when the app's goes through a pooler.
  DATABASE_MIGRATION_URL: postgresUrl,
  // Unset: read from DATABASE_URL (src/db.ts, pooledByUrl).
  DATABASE_POOLED: flagValue,
  DATA_DIR: z.string().min(1, 'expected a directory path').default('.data'),
  // Unset: on for the embedded database, off with DATABASE_URL (resolved in parseEnv). A real
  // deployment gets no demo admin, and no admin sign-in link in its logs on every start.
  DESK_DEMO: flagValue,
  MAX_MESSAGE_BYTES: z.coerce
    .number({ error: 'expected a number of bytes' })
    .int('expected a whole number of bytes')
    .min(1024, 'expected at least 1024 bytes')
    .default(25 * 1024 * 1024),
  INBOUND_SECRET: z.string().min(16, 'expected a secret of at least 16 characters').optional(),
  LINK_SECRET: z.string().min(32, 'expected a secret of at least 32 characters').optional(),
  RESEND_API_KEY: z.string().min(1).optional(),
  RESEND_BASE_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s):// URL' }).optional(),
  MAIL_FROM: z
    .string()
    .regex(/^[^<>]*<?[^\s@<>]+@[^\s@<>]+>?$/, 'expected an address, e.g. Desk <desk@example.com>')
    .default('Escalation Desk <desk@example.com>'),
  TRUST_PROXY: flag(false),
  RESEND_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]+={0,2}$/, 'expected the signing secret Resend shows, whsec_…')
    .optional(),
  POSTMARK_INBOUND_USER: z
    .string()
    .regex(/^[^:]+$/, 'expected a user name without ":"')
    .optional(),
  POSTMARK_INBOUND_PASSWORD: z.string().min(16, 'expected a password of at least 16 characters').optional(),
  POSTMARK_INBOUND_TOKEN: z.string().min(16, 'expected a token of at least 16 characters').optional(),
  MAILGUN_SIGNING_KEY: z.string().min(1, 'expected the HTTP webhook signing key').optional(),
  SENDGRID_INBOUND_TOKEN: z.string().min(16, 'expected a token of at least 16 characters').optional(),
  SMTP_PORT: z.coerce
    .number({ error: 'expected a port number' })
    .int('expected a whole port number')
    .min(1, 'expected a port from 1 to 65535')
    .max(65535, 'expected a port from 1 to 65535')
    .default(2525),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s):// URL' }).optional(),
  OPENAI_MODEL: z.string().min(1, 'expected a model name').default('gpt-4o-mini'),
  OPENAI_TIMEOUT_MS: z.coerce
    .number({ error: 'expected a number of milliseconds' })
    .int('expected a whole number of milliseconds')
    .min(100, 'expected at least 100 ms')
    .max(120_000, 'expected at most 120000 ms')
    .default(20_000),
  OPENAI_MAX_RETRIES: z.coerce
    .number({ error: 'expected a number of retries' })
    .int('expected a whole number of retries')
    .min(0, 'expected 0 to 5 retries')
    .max(5, 'expected 0 to 5 retries')
    .default(1),
  APPROVAL_LINK_HOURS: z.coerce
    .number({ error: 'expected a number of hours' })
    .int('expected a whole number of hours')
    .min(1, 'expected 1 to 168 hours')
    .max(168, 'expected 1 to 168 hours')
    .default(24),
  APPROVAL_LINK_HOURS_SEV1: z.coerce
    .number({ error: 'expected a number of hours' })
    .int('expected a whole number of hours')
    .min(1, 'expected 1 to 24 hours')
    .max(24, 'expected 1 to 24 hours')
    .default(2),
  SCHEDULER_INTERVAL_SECONDS: z.coerce
    .number({ error: 'expected a number of seconds' })
    .int('expected a whole number of seconds')
    .min(0, 'expected 0 (off) to 3600 seconds')
    .max(3600, 'expected 0 (off) to 3600 seconds')
    .default(60),
  CRON_SECRET: z.string().min(16, 'expected a secret of at least 16 characters').optional(),
  // Seals the org's integration secrets (Slack, Teams, helpdesk and webhook signing secrets) at
  // rest: 32 bytes, base64. Unset, a key generated once is kept in app_secrets (owner only), so a
  // dump of the tenant tables alone never holds them in the clear; set it in production so the
  // database and its backups alone never do.
  SECRETS_KEY: z
    .string()
    .refine(
      (v) => /^[A-Za-z0-9+/]{43}=?$/.test(v) && Buffer.from(v, 'base64').length === 32,
      'expected 32 random bytes in base64 (openssl rand -base64 32)',
    )
    .optional(),
  // Slack's Web API (chat.postMessage, chat.getPermalink): GovSlack's is https://slack-gov.com/api/;
  // the tests point it at a local stand-in.
  SLACK_API_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s):// URL' }).optional(),
  AUDIT_CHECKPOINT_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s):// URL' }).optional(),
  // Read by the entry scripts before this schema (src/load-env-file.mjs); listed so it is documented.
  ENV_FILE: z.string().min(1, 'expected a file path').optional(),
  // Any value but 0: start-up errors come with their stack trace. Other tools read DEBUG too
  // (DEBUG=express:*), so any value is accepted.
  DEBUG: z
    .string()
    .optional()
    .transform((v) => !!v && v !== '0'),
})

export type Env = Omit<z.infer<typeof envSchema>, 'DESK_DEMO'> & { PUBLIC_URL: string; DESK_DEMO: boolean }

export type EnvResult = { ok: true; env: Env } | { ok: false; problems: string[] }

export function parseEnv(source: Record<string, string | undefined>): EnvResult {
  // An empty value means "not set", as in most .env tooling.
  const present = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const result = envSchema.safeParse(present)
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment')
      const got = present[name]
      return `${name}: ${issue.message}${got === undefined ? '' : `, got ${JSON.stringify(got)}`}`
    })
    return { ok: false, problems }
  }
  const env = result.data
  return {
    ok: true,
    env: { ...env, PUBLIC_URL: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`, DESK_DEMO: env.DESK_DEMO ?? !env.DATABASE_URL },
  }
}
