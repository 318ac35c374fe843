import { Hono } from 'hono'
import type { AppEnv } from '../http/app-env.ts'
import { withOrg } from '../db.ts'
import { requireUser } from '../http/session.ts'
import { render } from '../http/htmx.ts'
import { PatternsPage } from '../../views/pages/patterns.tsx'
import { loadPatterns } from './patterns.ts'

export const patternRoutes = new Hono<AppEnv>()

// Any signed-in teammate, like the metrics it is linked from.
patternRoutes.get('/metrics/patterns', async (c) => {
  const user = requireUser(c)
  const patterns = await withOrg(c.get('deps').db, user.orgId, (tx) => loadPatterns(tx))
  return render(c, <PatternsPage patterns={patterns} />)
})
