// Addresses nobody reads: a reply there is lost, so they are never a customer's address and never
// a reply target. Senders name them in their own language, so the list covers the EU/EEA and the
// UK/US/AU/CA/IE: "no-reply", "nao-responda" (pt), "ne-pas-repondre" (fr), "nicht-antworten" /
// "keine-antwort" (de), "no-responder" / "no-contestar" (es), "non-rispondere" (it),
// "niet-antwoorden" / "geen-antwoord" (nl), "nie-odpowiadaj" (pl), "svara-inte" (sv), "ikke-svar"
// / "svar-ikke" (da, no), "neodpovidejte" (cs, sk), "ala-vastaa" / "ei-vastausta" (fi),
// "ne-valaszoljon" (hu), "nu-raspunde" (ro), "ne-odgovarjaj" (sl, hr), "nevastata" (el, in Latin
// letters) — and the machines' own mailboxes (mailer-daemon, bounces, notifications).

// The words, written without separators and accents: "nao-responda", "nao.responda" and
// "nãoresponda" all reduce to "naoresponda".
const NO_REPLY_WORDS = [
  'noreply',
  'donotreply',
  'dontreply',
  'noanswer',
  'noresponse',
  'norespond',
  'naoresponda',
  'naoresponder',
  'naorespondaeste',
  'favornaoresponder',
  'nepasrepondre',
  'nerepondezpas',
  'mercidenepasrepondre',
  'nichtantworten',
  'bittenichtantworten',
  'keineantwort',
  'antwortennichtmoeglich',
  'noresponder',
  'nocontestar',
  'noresponda',
  'norespondas',
  'nonrispondere',
  'nonrispondi',
  'nietantwoorden',
  'geenantwoord',
  'nietbeantwoorden',
  'nieodpowiadaj',
  'nieodpowiadac',
  'brakodpowiedzi',
  'svarainte',
  'svaraej',
  'ikkesvar',
  'svarikke',
  'ikkebesvar',
  'ikkesvarher',
  'neodpovidejte',
  'neodpovidat',
  'neodpovedajte',
  'neodpovedat',
  'alavastaa',
  'eivastausta',
  'alavastaatahan',
  'nevalaszoljon',
  'nevalaszolj',
  'nuraspunde',
  'nuraspundeti',
  'neodgovarjaj',
  'neodgovaraj',
  'neodgovarajte',
  'nevastata',
  'neotgovaryai',
  'neotgovarjaj',
  'neatsakyti',
  'neatbildet',
  'arvastata',
  'mittevastata',
]
// Machines' own mailboxes: bounces, notifications, daemons.
const MACHINE_LOCAL =
  /^(?:notifications?|notify|mailer[-_]?daemon|postmaster|bounces?(?:[+-].*)?|auto[-_]?(?:reply|mailer|confirm|responder)|system|alerts?|daemon)$/i

// The same mailboxes named in the senders' own languages ("bildirim" (tr), "benachrichtigung",
// "powiadomienia", "ilmoitukset", "ειδοποιήσεις" written in Latin letters…), and the relays of
// certified mail (Italy's PEC: "posta-certificata@pec.…" sends on behalf of the real sender,
// whose address is in Reply-To). Written squeezed, like NO_REPLY_WORDS.
const MACHINE_WORDS = new Set([
  'bildirim',
  'bildirimler',
  'benachrichtigung',
  'benachrichtigungen',
  'notificacion',
  'notificaciones',
  'notificacao',
  'notificacoes',
  'notifica',
  'notifiche',
  'notificatie',
  'notificaties',
  'notifikation',
  'notifikationer',
  'notifikasjon',
  'notifikasjoner',
  'powiadomienia',
  'powiadomienie',
  'upozorneni',
  'oznameni',
  'oznamenia',
  'obavijest',
  'obavijesti',
  'obvestila',
  'obvestilo',
  'ilmoitus',
  'ilmoitukset',
  'meddelelse',
  'meddelelser',
  'varsling',
  'varslinger',
  'avisering',
  'aviseringar',
  'ertesites',
  'ertesitesek',
  'notificari',
  'eidopoiisi',
  'eidopoiiseis',
  'pranesimai',
  'pazinojumi',
  'teavitus',
  'uvedomlenie',
  'uvedomleniya',
  'postacertificata',
  'postacert',
])

const squeeze = (local: string) =>
  local
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[-_.+]/g, '')

/** No-reply, notification and bounce addresses: never a customer, never a reply target. */
export function isNoReplyAddress(email: string | null | undefined): boolean {
  if (!email || !email.includes('@')) return false
  const local = email.slice(0, email.lastIndexOf('@')).slice(0, 64)
  if (MACHINE_LOCAL.test(local)) return true
  // "noreply-orders", "orders-noreply", "info.nao-responda": the word with a team's name around it.
  const parts = local.toLowerCase().split(/[+]/, 1)[0]!
  const squeezed = squeeze(parts)
  if (MACHINE_WORDS.has(squeezed)) return true
  return NO_REPLY_WORDS.some((w) => squeezed === w || squeezed.startsWith(w) || squeezed.endsWith(w))
}
