import { describeEvent } from '../../src/audit/describe.ts'
import type { TeamMember, TimelineEntry } from '../../src/cases/detail.ts'
import { formatTime } from '../components/parts.tsx'

export function Timeline({ entries, team }: { entries: TimelineEntry[]; team: TeamMember[] }) {
  const names = new Map(team.map((m) => [m.id, m.name || m.email]))
  return (
    <section class="panel" id="timeline">
      <h2>Timeline</h2>
      <ol class="timeline">
        {entries.map((e) => (
          <li data-action={e.action}>
            <time datetime={e.createdAt.toISOString()}>{formatTime(e.createdAt)}</time>
            <span>{describeEvent(e, names)}</span>
          </li>
        ))}
      </ol>
    </section>
  )
}
