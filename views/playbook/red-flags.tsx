import { orderFlags, redFlagText } from '../../src/playbook/red-flags.ts'

// The playbook's red flags as the case page and the queue show them: a short red chip each, its
// meaning on hover (the case page also spells it out). Nothing at all when a case has none.

export function RedFlagChips({ flags }: { flags: string[] }) {
  const list = orderFlags(flags)
  if (!list.length) return null
  return (
    <span class="red-flags" aria-label={`Red flags: ${list.map((f) => redFlagText[f].label).join(', ')}`}>
      {list.map((f) => (
        <span class="badge red-flag" title={redFlagText[f].means}>
          {redFlagText[f].label}
        </span>
      ))}
    </span>
  )
}

export function RedFlagPanel({ flags }: { flags: string[] }) {
  const list = orderFlags(flags)
  if (!list.length) return null
  return (
    <section class="panel red-flag-panel" id="red-flags" aria-labelledby="red-flags-heading">
      <h2 id="red-flags-heading">Red flags</h2>
      <ul>
        {list.map((f) => (
          <li>
            <strong>{redFlagText[f].label}</strong>: {redFlagText[f].means}
          </li>
        ))}
      </ul>
    </section>
  )
}
