import type { Context } from 'hono'

/** The posted form's text fields (files and repeated fields dropped), for handlers that want strings. */
export async function textFields(c: Context): Promise<Record<string, string>> {
  return Object.fromEntries(Object.entries(await c.req.parseBody()).filter(([, v]) => typeof v === 'string')) as Record<string, string>
}

/** One field of a parsed form as text ('' when absent or not text). */
export const formText = (form: Record<string, unknown>, name: string): string => (typeof form[name] === 'string' ? (form[name] as string) : '')

/** A field that may repeat (checkboxes), as the list of its text values. */
export const formList = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((v): v is string => typeof v === 'string')
