// Polish and Czech decline people's names: a notice writes "skarga Pani Anny Kowalskiej", a
// lawyer "w imieniu Pana Jana Kowalskiego", "návrh pana Petra Nováka", "paní Jany Dvořákové".
// The case stores the name as the person writes it themselves (Anna Kowalska, Jan Kowalski, Petr
// Novák, Jana Dvořáková). The honorific before the name tells its case and gender; only then is
// a name turned back, by the regular endings (a rare irregular name keeps its written form).

type Form = { language: 'pl' | 'cs'; gender: 'f' | 'm'; grammaticalCase: 'gen' | 'acc' }

// "Pana" is the genitive/accusative of "Pan"; "Pani" is every case of the feminine but the
// accusative "Panią"; Czech "pana" (gen./acc.), "paní" (every case).
const HONORIFIC_FORMS: Record<string, Form> = {
  pana: { language: 'pl', gender: 'm', grammaticalCase: 'gen' },
  pani: { language: 'pl', gender: 'f', grammaticalCase: 'gen' },
  panią: { language: 'pl', gender: 'f', grammaticalCase: 'acc' },
  paní: { language: 'cs', gender: 'f', grammaticalCase: 'gen' },
}

/** The declined form an honorific just before `start` announces, if any ("Pana ", "paní "). */
export function declinedFormBefore(text: string, start: number): Form | null {
  const before = text.slice(Math.max(0, start - 12), start)
  const m = /(?<![\p{L}])(pana|pani|panią|paní)\s+$/iu.exec(before)
  if (!m) return null
  const word = m[1]!.toLowerCase()
  // Czech "pana" is spelled like Polish "Pana": both are the masculine genitive, the endings differ.
  return HONORIFIC_FORMS[word] ?? null
}

/** The honorific a name starts with, when the reader kept it ("Pana Jana Kowalskiego"). */
export function declinedFormOf(name: string): Form | null {
  const first = name.trim().split(/\s+/, 1)[0]?.toLowerCase() ?? ''
  return HONORIFIC_FORMS[first] ?? null
}

// Letters Czech writes and Polish never does (Polish has ó, ż, ś, ć, not á, č, ř…).
const CZECH_LETTERS = /[ěřůťďňčšžáéíúýĚŘŮŤĎŇČŠŽÁÉÍÚÝ]/u

/** "Anny Kowalskiej" → "Anna Kowalska", "Petra Nováka" → "Petr Novák". Words that fit no ending stay. */
export function toNominative(name: string, form: Form): string {
  const words = name.split(/\s+/).filter(Boolean)
  const czech = form.language === 'cs' || words.some((w) => CZECH_LETTERS.test(w))
  return words
    .map((w, i) => (czech ? czechWord(w, form, i === 0 && words.length > 1) : polishWord(w, form, i === 0 && words.length > 1)))
    .join(' ')
}

function polishWord(w: string, form: Form, given: boolean): string {
  if (form.gender === 'f') {
    if (form.grammaticalCase === 'acc') return w.replace(/ę$/u, 'a').replace(/ą$/u, 'a')
    const surnameAdjective = /(?:sk|ck|dzk)iej$/u
    if (surnameAdjective.test(w)) return w.replace(/iej$/u, 'a')
    if (/ej$/u.test(w) && !given) return w.replace(/ej$/u, 'a')
    if (/ii$/u.test(w)) return w.replace(/ii$/u, 'ia')
    if (/ji$/u.test(w)) return w.replace(/ji$/u, 'ja')
    if (/[kg]i$/u.test(w)) return w.replace(/i$/u, 'a')
    if (/y$/u.test(w)) return w.replace(/y$/u, 'a')
    return w
  }
  if (/(?:sk|ck|dzk)iego$/u.test(w)) return w.replace(/iego$/u, 'i')
  if (/iego$/u.test(w)) return w.replace(/ego$/u, '')
  if (/ego$/u.test(w)) return w.replace(/ego$/u, 'y')
  if (given && /[^aeiouyąęó]ka$/u.test(w) && w.length > 4) return w.replace(/ka$/u, 'ek')
  if (given && /[^aeiouyąęó]ła$/u.test(w)) return w.replace(/ła$/u, 'eł')
  if (/y$/u.test(w)) return w.replace(/y$/u, 'a')
  if (/[^aeiouyąęó]a$/u.test(w)) return w.slice(0, -1)
  return w
}

function czechWord(w: string, form: Form, given: boolean): string {
  if (form.gender === 'f') {
    if (/ové$/u.test(w)) return w.replace(/ové$/u, 'ová')
    if (/é$/u.test(w)) return w.replace(/é$/u, 'á')
    if (/y$/u.test(w)) return w.replace(/y$/u, 'a')
    return w
  }
  if (/ého$/u.test(w)) return w.replace(/ého$/u, 'ý')
  if (/ího$/u.test(w)) return w.replace(/ího$/u, 'í')
  if (/y$/u.test(w)) return w.replace(/y$/u, 'a')
  if (/[šžčřjc]e$/u.test(w)) return w.slice(0, -1)
  if (given && /[^aeiouyáéíóúůýě][lk]a$/u.test(w)) return `${w.slice(0, -2)}e${w.slice(-2, -1)}`
  if (/[^aeiouyáéíóúůýě]a$/u.test(w)) return w.slice(0, -1)
  return w
}
