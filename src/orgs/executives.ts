import type { DbOrTx, Tx } from '../db.ts'

// The org's executives (org_executives): forwards from them count as the CEO's inbox, replies to
// those cases are drafted in their voice, and go out in their name. Org-scoped: run in withOrg.

export type OrgExecutive = { email: string; name: string; title: string; sendAs: boolean }

export async function listExecutives(db: DbOrTx): Promise<OrgExecutive[]> {
  return db<OrgExecutive[]>`select email, name, title, send_as as "sendAs" from org_executives order by email`
}

/** Makes the org's list exactly this one, keeping the rows that stay (and their created_at). */
export async function replaceExecutives(tx: Tx, orgId: string, executives: OrgExecutive[]): Promise<void> {
  const emails = executives.map((e) => e.email)
  await tx`delete from org_executives where org_id = ${orgId} and not (email = any(${emails}::text[]))`
  if (executives.length === 0) return
  const rows = executives.map((e) => ({ org_id: orgId, email: e.email, name: e.name, title: e.title, send_as: e.sendAs }))
  await tx`
    insert into org_executives ${tx(rows, 'org_id', 'email', 'name', 'title', 'send_as')}
    on conflict (org_id, email) do update set name = excluded.name, title = excluded.title, send_as = excluded.send_as`
}

/**
 * The executive whose inbox a CEO-inbox case reached: the first forwarder on the org's list,
 * else the first listed executive the original mail was addressed to. Null for other sources.
 */
export async function caseExecutive(db: DbOrTx, caseId: string): Promise<OrgExecutive | null> {
  const [row]: [OrgExecutive?] = await db`
    select e.email, e.name, e.title, e.send_as as "sendAs"
    from cases c
    cross join lateral (
      select f.address, f.n from unnest(c.forwarded_by) with ordinality as f(address, n)
      union all
      select t.address, 1000000 + t.n
      from (select to_emails from messages where case_id = c.id and direction = 'inbound' order by created_at, id limit 1) m,
           unnest(m.to_emails) with ordinality as t(address, n)
    ) reached
    join org_executives e on e.org_id = c.org_id and e.email = lower(reached.address)
    where c.id = ${caseId} and c.source = 'ceo_inbox'
    order by reached.n
    limit 1`
  return row ?? null
}
