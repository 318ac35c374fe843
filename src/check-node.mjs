// The Node.js version check, first thing in `npm install` (preinstall), `npm start` and `desk`.
// On an older Node the desk installs with dozens of engine warnings and then half-works; one
// line saying what to do is kinder. Plain JavaScript, no imports: it must run on any Node.

export const requiredMajor = 22

/** The one line to print on this Node version, or null when it is new enough. */
export function nodeVersionProblem(version) {
  const major = Number(String(version).replace(/^v/, '').split('.')[0])
  if (major >= requiredMajor) return null
  return (
    `Escalation Desk needs Node.js ${requiredMajor} or newer (24 recommended), not ${version}: ` +
    'nvm install 24, fnm use --install-if-missing 24 or volta install node@24 (README, "Run it", also shows npx node@24)'
  )
}

const problem = nodeVersionProblem(process.versions.node)
if (problem) {
  console.error(problem)
  process.exit(1)
}
