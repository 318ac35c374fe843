import type { CaseReviewPanel } from '../../src/reviews/case-panel.ts'
import { CHECK_IN_WEEKS, impactLabels, kindLabels, plannedItems } from '../../src/recovery/plan.ts'
import { impactLevels, itemKinds, type RecoveryItem } from '../../src/recovery/queries.ts'
import { formatTime } from '../components/parts.tsx'
import { caseForm } from './actions.tsx'

// The recovery plan on the case page: the impact level and its proportional actions, each with
// an owner, a due date and done or not; the check-ins; the 90-day check of the relationship.

const credit = (i: RecoveryItem) => (i.creditAmount ? ` · ${i.creditAmount} ${i.creditCurrency}` : '')

function OwnerSelect({ panel, name = 'ownerId' }: { panel: CaseReviewPanel; name?: string }) {
  return (
    <select name={name} required aria-label="Owner">
      {panel.team.map((m) => (
        <option value={m.id}>{m.name || m.email}</option>
      ))}
    </select>
  )
}

function Items({ caseId, items }: { caseId: string; items: RecoveryItem[] }) {
  return (
    <ul class="plain actions-list" id="recovery-items">
      {items.map((i) => (
        <li class={i.status === 'done' ? 'done' : i.overdue ? 'overdue' : ''}>
          <strong>{i.title}</strong>
          <br />
          <span class="muted">
            {kindLabels[i.kind]}
            {credit(i)} · {i.ownerName} · due {i.dueOn}
            {i.overdue ? ' · overdue' : ''}
            {i.status === 'done' && i.doneAt ? ` · done ${formatTime(i.doneAt)}` : ''}
          </span>
          <form {...caseForm(caseId, `recovery/items/${i.id}`)} class="inline">
            <input type="hidden" name="status" value={i.status === 'done' ? 'open' : 'done'} />
            <button type="submit" class="small">
              {i.status === 'done' ? 'Reopen' : 'Mark done'}
            </button>
          </form>
        </li>
      ))}
    </ul>
  )
}

function PlanForm({ caseId, panel }: { caseId: string; panel: CaseReviewPanel }) {
  const current = panel.plan?.impactLevel
  return (
    <form {...caseForm(caseId, 'recovery')} class="stack">
      <select name="impactLevel" required aria-label="Impact level">
        <option value="">Impact level…</option>
        {impactLevels.map((l) => (
          <option value={l} selected={l === current}>
            {impactLabels[l]}:{' '}
            {plannedItems(l)
              .filter((i) => i.kind !== 'check_in')
              .map((i) => kindLabels[i.kind].toLowerCase())
              .join(' + ')}
          </option>
        ))}
      </select>
      <OwnerSelect panel={panel} />
      <input
        name="creditAmount"
        inputmode="decimal"
        placeholder="Service credit amount (moderate and up)"
        aria-label="Service credit amount"
      />
      <input name="creditCurrency" value="USD" maxlength={3} aria-label="Credit currency" />
      <button type="submit">{current ? 'Change the level' : 'Make the plan'}</button>
      <small class="muted">Adds the level's actions and check-ins after {CHECK_IN_WEEKS.join(', ')} weeks, each with a due date.</small>
    </form>
  )
}

function AddItem({ caseId, panel }: { caseId: string; panel: CaseReviewPanel }) {
  return (
    <details>
      <summary>Add an item</summary>
      <form {...caseForm(caseId, 'recovery/items')} class="stack">
        <select name="kind" aria-label="Kind of item">
          {itemKinds.map((k) => (
            <option value={k}>{kindLabels[k]}</option>
          ))}
        </select>
        <input name="title" maxlength={300} required placeholder="What will be done" aria-label="What will be done" />
        <OwnerSelect panel={panel} />
        <input type="date" name="dueOn" required aria-label="Due" />
        <input name="creditAmount" inputmode="decimal" placeholder="Credit amount (service credit only)" aria-label="Credit amount" />
        <input name="creditCurrency" value="USD" maxlength={3} aria-label="Credit currency" />
        <button type="submit" class="small">
          Add item
        </button>
      </form>
    </details>
  )
}

function Check({ caseId, panel }: { caseId: string; panel: CaseReviewPanel }) {
  const plan = panel.plan!
  if (plan.checkedAt) {
    return (
      <p>
        90-day check: relationship <strong>{plan.relationshipMaintained ? 'maintained' : 'not maintained'}</strong>{' '}
        <span class="muted">
          · {formatTime(plan.checkedAt)}
          {plan.checkedByName ? ` by ${plan.checkedByName}` : ''}
        </span>
        {plan.checkNote ? <span class="prewrap"> {plan.checkNote}</span> : null}
      </p>
    )
  }
  if (!plan.checkDue) return <p class="muted">90-day check of the relationship due {plan.checkDueOn}.</p>
  return (
    <form {...caseForm(caseId, 'recovery/check')} class="stack">
      <p class="warn-text">The 90-day check is due: is the account still active with us, or did they say so?</p>
      <select name="maintained" required aria-label="Relationship maintained">
        <option value="">Relationship maintained?</option>
        <option value="yes">Yes</option>
        <option value="no">No</option>
      </select>
      <input name="note" maxlength={2000} placeholder="What it rests on (renewed, their answer…)" aria-label="What the answer rests on" />
      <button type="submit">Record the check</button>
    </form>
  )
}

export function RecoveryPlanPanel({ caseId, panel }: { caseId: string; panel: CaseReviewPanel }) {
  return (
    <div id="recovery">
      <h3>Recovery plan</h3>
      {panel.plan ? (
        <p>
          Impact: <strong>{impactLabels[panel.plan.impactLevel]}</strong>
        </p>
      ) : (
        <p class="muted">No plan yet: choose the impact level; each action becomes a tracked item.</p>
      )}
      {panel.items.length ? <Items caseId={caseId} items={panel.items} /> : null}
      <PlanForm caseId={caseId} panel={panel} />
      {panel.plan ? <AddItem caseId={caseId} panel={panel} /> : null}
      {panel.plan ? <Check caseId={caseId} panel={panel} /> : null}
    </div>
  )
}
