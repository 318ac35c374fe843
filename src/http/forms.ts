import type { Context } from 'hono'
import type { z } from 'zod'

/** The posted form's text fields (files and repeated fields dropped), for handlers that want strings. */
export async function textFields(c: Context): Promise<Record<string, string>> {
  return textOf(await c.req.parseBody())
}

/** The text fields of a body already parsed (with `all: true` a repeated field is a list, and is dropped here). */
export const textOf = (body: Record<string, unknown>): Record<string, string> =>
  Object.fromEntries(Object.entries(body).filter(([, v]) => typeof v === 'string')) as Record<string, string>

/** One field of a parsed form as text ('' when absent or not text). */
export const formText = (form: Record<string, unknown>, name: string): string =>
  typeof form[name] === 'string' ? (form[name] as string) : ''

/** A field that may repeat (checkboxes), as the list of its text values. */
export const formList = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string')

/** A form's validation problems by field (the first message each; 'form' for the form as a whole), as its page shows them. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {}
  for (const issue of error.issues) errors[String(issue.path[0] ?? 'form')] ??= issue.message
  return errors
}
