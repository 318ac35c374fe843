import type { Child } from 'hono/jsx'
import type { CaseDetail, TeamMember } from '../../src/cases/detail.ts'
import type { WarRoomPanel as Panel } from '../../src/warroom/case-panel.ts'
import { checklistSteps } from '../../src/warroom/checklist.ts'
import { localInputValue } from '../../src/warroom/war-room.ts'
import { Countdown, formatTime } from '../components/parts.tsx'
import { caseForm } from './actions.tsx'

/** SEV-1/2 open the war room on the page; SEV-3/4 keep it folded (the playbook's war room is for SEV-1/2). */
export const warRoomOpen = (severity: string) => severity === 'SEV-1' || severity === 'SEV-2'

const nameOf = (team: TeamMember[], id: string | null) => {
  const m = id ? team.find((t) => t.id === id) : undefined
  return m ? m.name || m.email : null
}

/** The war room: commander, collaborators, status, next action, workaround, hypothesis, checklist, internal updates. */
type Props = { kase: CaseDetail; panel: Panel; team: TeamMember[]; now: Date; feedback?: Child }

export function WarRoomSection({ kase, panel, team, now, feedback }: Props) {
  const open = warRoomOpen(kase.severity)
  const body = <WarRoomBody kase={kase} panel={panel} team={team} now={now} feedback={feedback} />
  return (
    <section class={`panel war-room${open ? ' prominent' : ''}`} id="war-room" aria-labelledby="war-room-heading">
      {open ? (
        <>
          <h2 id="war-room-heading">War room</h2>
          {body}
        </>
      ) : (
        <details open={feedback ? true : undefined}>
          <summary>
            <strong id="war-room-heading">War room</strong>{' '}
            <span class="muted">· {panel.cadence.missed ? 'internal update missed' : 'for SEV-1/2; open to use it here'}</span>
          </summary>
          {body}
        </details>
      )}
    </section>
  )
}

function WarRoomBody({ kase, panel, team, now, feedback }: Props) {
  const { room, timeZone } = panel
  const commander = nameOf(team, panel.commanderId)
  return (
    <>
      {feedback}
      <InternalCadenceLine kase={kase} panel={panel} now={now} />
      <dl class="facts">
        <dt>Incident commander</dt>
        <dd>
          {commander ?? <span class="warn-text">nobody (no owner yet)</span>}
          {panel.commanderIsOwner && commander ? <span class="muted"> (the owner)</span> : null}
        </dd>
        <dt>Status</dt>
        <dd>{room.statusLine ?? <span class="muted">not set</span>}</dd>
        <dt>Next action</dt>
        <dd>
          {room.nextAction ?? <span class="muted">not set</span>}
          {room.nextActionOwnerId ? ` · ${nameOf(team, room.nextActionOwnerId) ?? 'a former teammate'}` : ''}
          {room.nextActionEta ? ` · ETA ${formatTime(room.nextActionEta, timeZone)}` : ''}
        </dd>
        <dt>Workaround</dt>
        <dd class="prewrap">
          {room.workaround ?? <span class="muted">none yet</span>}
          {room.workaround ? (
            <span class={room.workaroundCommunicated ? 'badge' : 'badge warn'}>
              {room.workaroundCommunicated ? 'communicated to the customer' : 'not yet told to the customer'}
            </span>
          ) : null}
        </dd>
        <dt>Root-cause hypothesis</dt>
        <dd class="prewrap">{room.hypothesis ?? <span class="muted">none yet</span>}</dd>
        {room.channelUrl ? (
          <>
            <dt>Channel</dt>
            <dd>
              <a href={room.channelUrl} rel="noopener noreferrer" target="_blank">
                {room.channelUrl}
              </a>
            </dd>
          </>
        ) : null}
      </dl>
      <WarRoomForm kase={kase} panel={panel} team={team} />
      <Collaborators kase={kase} panel={panel} team={team} />
      <Checklist kase={kase} panel={panel} />
      <InternalUpdates kase={kase} panel={panel} />
    </>
  )
}

function InternalCadenceLine({ kase, panel, now }: { kase: CaseDetail; panel: Panel; now: Date }) {
  const { cadence } = panel
  return (
    <p class="internal-cadence">
      <strong>Next internal update: </strong>
      {cadence.dueAt ? (
        <>
          <Countdown due={cadence.dueAt} atRisk={null} now={now} label="internal update" />
          {cadence.missed ? <span class="badge warn"> internal update missed</span> : null}
        </>
      ) : (
        <span class="muted">{cadence.everyMinutes ? 'none while the case is finished' : 'on progress (no cadence for this severity)'}</span>
      )}{' '}
      <a class="button" href={`/cases/${kase.id}/internal-update`}>
        Write the internal update
      </a>
    </p>
  )
}

function TeamSelect({
  name,
  team,
  selected,
  empty,
  label,
}: {
  name: string
  team: TeamMember[]
  selected: string | null
  empty: string
  label: string
}) {
  return (
    <select name={name} aria-label={label}>
      <option value="">{empty}</option>
      {team.map((m) => (
        <option value={m.id} selected={m.id === selected}>
          {m.name || m.email}
        </option>
      ))}
    </select>
  )
}

function WarRoomForm({ kase, panel, team }: { kase: CaseDetail; panel: Panel; team: TeamMember[] }) {
  const { room, timeZone } = panel
  return (
    <details class="war-room-edit">
      <summary>Edit the war room</summary>
      <form {...caseForm(kase.id, 'war-room')} class="stack">
        <label>
          Incident commander{' '}
          <TeamSelect name="commanderId" team={team} selected={room.commanderId} empty="The owner" label="Incident commander" />
        </label>
        <label>
          Current status <input name="statusLine" maxlength={500} value={room.statusLine ?? ''} />
        </label>
        <label>
          Next action <input name="nextAction" maxlength={500} value={room.nextAction ?? ''} />
        </label>
        <label>
          Next action owner{' '}
          <TeamSelect name="nextActionOwnerId" team={team} selected={room.nextActionOwnerId} empty="Nobody yet" label="Next action owner" />
        </label>
        <label>
          ETA ({timeZone}) <input type="datetime-local" name="nextActionEta" value={localInputValue(room.nextActionEta, timeZone)} />
        </label>
        <label>
          Workaround{' '}
          <textarea name="workaround" maxlength={4000} rows={3}>
            {room.workaround ?? ''}
          </textarea>
        </label>
        <label>
          Workaround communicated to the customer{' '}
          <select name="workaroundCommunicated">
            <option value="no" selected={!room.workaroundCommunicated}>
              No
            </option>
            <option value="yes" selected={room.workaroundCommunicated}>
              Yes
            </option>
          </select>
        </label>
        <label>
          Root-cause hypothesis{' '}
          <textarea name="hypothesis" maxlength={4000} rows={3}>
            {room.hypothesis ?? ''}
          </textarea>
        </label>
        <label>
          Channel link (Slack, Teams, bridge){' '}
          <input name="channelUrl" type="url" maxlength={500} placeholder="https://" value={room.channelUrl ?? ''} />
        </label>
        <button type="submit">Save the war room</button>
      </form>
    </details>
  )
}

function Collaborators({ kase, panel, team }: { kase: CaseDetail; panel: Panel; team: TeamMember[] }) {
  const others = team.filter((m) => !panel.collaborators.some((c) => c.userId === m.id))
  return (
    <>
      <h3>Collaborators</h3>
      {panel.collaborators.length ? (
        <ul class="plain">
          {panel.collaborators.map((c) => (
            <li>
              {c.name}{' '}
              <form {...caseForm(kase.id, 'war-room/collaborators/remove')} class="inline">
                <input type="hidden" name="userId" value={c.userId} />
                <button type="submit" class="small">
                  remove
                </button>
              </form>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">None yet: collaborators receive the internal updates.</p>
      )}
      {others.length ? (
        <form {...caseForm(kase.id, 'war-room/collaborators')} class="inline">
          <TeamSelect name="userId" team={others} selected={null} empty="Add a teammate…" label="Add a collaborator" />
          <button type="submit">Add</button>
        </form>
      ) : null}
    </>
  )
}

function Checklist({ kase, panel }: { kase: CaseDetail; panel: Panel }) {
  return (
    <>
      <h3>Resolution steps</h3>
      <ol class="checklist">
        {checklistSteps.map(([step, label]) => {
          const tick = panel.checklist.find((t) => t.step === step)
          return (
            <li class={tick ? 'done' : undefined}>
              <form {...caseForm(kase.id, 'war-room/checklist')} class="inline">
                <input type="hidden" name="step" value={step} />
                <input type="hidden" name="done" value={tick ? 'no' : 'yes'} />
                <button type="submit" class="small" aria-pressed={tick ? 'true' : 'false'}>
                  {tick ? '☑' : '☐'} {label}
                </button>
              </form>
              {tick ? <span class="muted"> · {formatTime(tick.doneAt, panel.timeZone)}</span> : null}
            </li>
          )
        })}
      </ol>
      <p class="muted">
        {kase.status === 'resolved'
          ? 'Resolved: the case closes when the customer confirms (closing without it needs a reason).'
          : "Don't close until the customer confirms: resolving asks them, and closing without their confirmation needs a reason."}
      </p>
    </>
  )
}

function InternalUpdates({ kase, panel }: { kase: CaseDetail; panel: Panel }) {
  return (
    <>
      <h3>Internal updates</h3>
      <p class="muted">
        To{' '}
        {panel.stakeholders.recipients.length
          ? panel.stakeholders.recipients.join(', ')
          : 'nobody yet (add collaborators or stakeholder lists)'}
        {panel.stakeholders.withheld.length ? ` · withheld (the customer's): ${panel.stakeholders.withheld.join(', ')}` : ''}
      </p>
      {panel.updates.length ? (
        <ul class="plain internal-updates">
          {panel.updates.map((u) => (
            <li>
              <strong>{u.subject}</strong>{' '}
              <span class="muted">
                · {u.authorName ?? 'someone'} · {formatTime(u.createdAt, panel.timeZone)} · {u.status}
                {u.dueAt && u.createdAt > u.dueAt ? ' · late' : ''}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">No internal update sent yet for {kase.severity}.</p>
      )}
    </>
  )
}
