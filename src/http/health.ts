import { Hono } from 'hono'
import type { AppEnv } from './app-env.ts'

export const healthRoutes = new Hono<AppEnv>()

healthRoutes.get('/', async (c) => {
  const { db } = c.get('deps')
  try {
    await db`select 1`
    return c.json({ status: 'ok', database: 'ok' })
  } catch {
    return c.json({ status: 'unavailable', database: 'unreachable' }, 503)
  }
})
