// The words of complaints bodies' notices in the languages of the EU/EEA and the UK/US/AU/CA/IE,
// BR: what a notice is about (a complaint, a dispute), the labels of its forms (complainant,
// consumer, name, e-mail), the body's own staff ("Handläggare", "Sachbearbeiter", "Vyřizuje"),
// the phrases that introduce the consumer ("a complaint from", "anmälan från konsumenten",
// "skarga Pani"), its deadline ("within 14 days", "inom 14 dagar", "w terminie 14 dni") and the
// kind of body a notice's words point to (data protection, dispute resolution). One list per
// purpose; each alternative is a word or a short bounded fragment.
import { anyStem, anyWord, labelLine } from './words.ts'

/** A notice names a complaint or a dispute (a newsletter about complaint trends does too, but from elsewhere). */
export const NOTICE_WORDING = anyStem([
  'complain', 'rebuttal', 'referral', 'dispute', 'consumer', 'mediation', // en
  'beschwerde', 'schlichtung', 'antragsteller', 'verbraucher', 'konsument', 'reklamation', // de
  'plainte', 'plaignant', 'r[ée]clamation', 'r[ée]clamant', 'litige', 'consommat', 'saisine', 'm[ée]diation', // fr
  'reclamaci[óo]n', 'reclamante', 'queja', 'denuncia', 'consumidor', 'traslado', 'arbitraje', // es
  'reclamo', 'segnalazione', 'consumat', 'controversi', 'fascicolo', 'dossier', // it
  'klacht', 'consument', 'geschil', // nl
  'reclama[çc][ãa]o', 'queixa', 'lit[íi]gio', 'arbitragem', // pt
  'anm[äa]lan', 'klagom[åa]l', 'tvist', 'reklamation', // sv
  'klage', 'forbruger', 'forbruker', // da, no
  'valitus', 'kuluttaja', 'riita', // fi
  'skarg', 'reklamacj', 'konsument', 'spor(?:u|em|y)?', 'wnios', // pl
  'st[íi][žz]nost', 'spot[řr]ebitel', 'spor', 'n[áa]vrh', 'podn[ěe]t', 's[ťt]a[žz]nos', 'spotrebite', // cs, sk
  'panasz', 'fogyaszt[óo]', 'bejelent[ée]s', 'b[ée]k[ée]ltet', // hu
  'reclama[țt]i', 'sesizar', 'consumator', 'peti[țt]i', // ro
  'καταγγελ', 'καταναλωτ', 'жалб', 'потребител', 'pritu[žz]b', 'potro[šs]a', 'prito[žz]b', 'potro[šs]nik', 'kaebus', 'tarbija', 's[ūu]dz[īi]b', 'pat[ēe]r[ēe]t[āa]j', 'skund', 'vartotoj', // el, bg, hr, sl, et, lv, lt
])

// Labels of the consumer's line in a notice's form.
export const CONSUMER_LABELS = [
  String.raw`consumer(?:'s)? name`, 'consumer', 'name of consumer', String.raw`complainant(?:'s name)?`, 'name', 'full name', 'filed by', 'submitted by', 'customer name', 'reviewer', 'by',
  'kunde', 'kundin', String.raw`antragsteller(?:in)?`, String.raw`beschwerdef[üu]hrer(?:in)?`, String.raw`verbraucher(?:in)?`, String.raw`kl[äa]ger(?:in)?`, String.raw`konsument(?:in)?`, String.raw`einschreiter(?:in)?`,
  String.raw`plaignant(?:e)?`, String.raw`r[ée]clamant(?:e)?`, String.raw`consommat(?:eur|rice)`, 'nom', String.raw`requ[ée]rant(?:e)?`, String.raw`nom du consommateur`,
  'reclamante', String.raw`consumidor(?:a)?`, 'denunciante', 'nombre', String.raw`interesad[oa]`, String.raw`nombre y apellidos`,
  String.raw`consumat(?:ore|rice)`, 'nome', 'cliente', 'segnalante', 'istante', String.raw`nome e cognome`,
  'consument', 'klager', 'aanvrager', 'naam', 'verzoeker', 'door',
  String.raw`queixos[oa]`, 'requerente', String.raw`nome do consumidor`, String.raw`nome completo`,
  String.raw`anm[äa]lare`, 'konsument', 'namn', 'klagande', String.raw`s[öo]kande`, String.raw`klager`, 'forbruger', 'forbruker', 'navn',
  'valittaja', 'kuluttaja', 'nimi', 'hakija',
  String.raw`skar[żz][ąa]c[ya]`, String.raw`konsument(?:ka)?`, String.raw`wnioskodawc(?:a|zyni)`, String.raw`imi[ęe] i nazwisko`, String.raw`reklamuj[ąa]c[ya]`,
  String.raw`st[ěe][žz]ovatel(?:ka)?`, String.raw`spot[řr]ebitel(?:ka)?`, String.raw`navrhovatel(?:ka)?`, String.raw`jm[ée]no(?: a p[řr][íi]jmen[íi])?`, 'podatel', String.raw`s[ťt]a[žz]ovate[ľl](?:ka)?`, String.raw`spotrebite[ľl](?:ka)?`, 'meno',
  'panaszos', String.raw`fogyaszt[óo]`, String.raw`n[ée]v`, String.raw`bejelent[őo]`, String.raw`k[ée]relmez[őo]`,
  String.raw`reclamant(?:ă|a)?`, 'consumator', 'petent', 'nume', String.raw`nume și prenume`,
  String.raw`καταγγέλλων`, String.raw`καταναλωτής`, String.raw`όνομα`, String.raw`podnositelj(?:ica)? pritu[žz]be`, String.raw`potro[šs]a[čc]`, String.raw`prito[žz]nik`, String.raw`potro[šs]nik`,
  'kaebaja', 'tarbija', String.raw`iesniedz[ēe]js`, String.raw`pat[ēe]r[ēe]t[āa]js`, String.raw`pareišk[ėe]jas`, 'vartotojas',
]
export const CONSUMER_LABEL = labelLine(CONSUMER_LABELS)

// Labels of the consumer's e-mail address.
export const EMAIL_LABEL = labelLine([
  String.raw`consumer(?:'s)? e-?mail`, String.raw`e-?mail(?: address)?`, 'courriel', String.raw`adresse (?:e-mail|électronique|mail)`,
  String.raw`correo(?: electr[óo]nico)?`, String.raw`correio eletr[óo]nico`, String.raw`indirizzo (?:e-?mail|di posta elettronica)`, String.raw`e-?mailadres`,
  'e-post', String.raw`e-postadress`, String.raw`s[äa]hk[öo]posti`, String.raw`adres e-?mail`, String.raw`e-?mailov[áa] adresa`, String.raw`e-?mail c[íi]m`,
  String.raw`adres[aă] de e-?mail`, 'e-pasts', String.raw`el\. paštas`, String.raw`ηλεκτρονικό ταχυδρομείο`, String.raw`e-?mail-adresse`,
], String.raw`(\S+@\S+)`)

// How a body's staff sign or are named: "Handläggare: …", "Sprawę prowadzi: …", "Vyřizuje: …".
// Their names are never the consumer's.
export const STAFF_LABEL = labelLine([
  String.raw`case (?:officer|handler|worker|manager)`, 'caseworker', 'investigator', 'adjudicator', String.raw`complaints? officer`, 'contact person', 'contact',
  String.raw`sachbearbeiter(?:in)?`, String.raw`bearbeiter(?:in)?`, String.raw`referent(?:in)?`, String.raw`ansprechpartner(?:in)?`, 'auskunft',
  String.raw`gestionnaire(?: du dossier)?`, String.raw`charg[ée] (?:de mission|du dossier|de dossier)`, String.raw`affaire suivie par`, String.raw`dossier suivi par`,
  String.raw`tramitador(?:a)?`, String.raw`instructor(?:a)?`, String.raw`t[ée]cnic[oa]`, String.raw`funcion[áa]ri[oa]`, String.raw`gestor(?:a)? do processo`,
  String.raw`responsabile del procedimento`, 'istruttore', 'referente', 'behandelaar', 'contactpersoon', String.raw`behandeld door`,
  String.raw`handl[äa]ggare`, 'saksbehandler', 'sagsbehandler', String.raw`k[äa]sittelij[äa]`, String.raw`esittelij[äa]`, String.raw`yhteyshenkil[öo]`,
  String.raw`spraw[ęe] prowadzi`, String.raw`osoba prowadz[ąa]ca(?: spraw[ęe])?`, 'inspektor', String.raw`vy[řr]izuje`, String.raw`vybavuje`, String.raw`kontaktn[íi] osoba`,
  String.raw`[üu]gyint[ée]z[őo]`, String.raw`[îi]ntocmit`, 'referent', String.raw`kontaktna oseba`, String.raw`menetleja`,
])

// Signature titles of a body's staff, on a line of their own under their name.
export const STAFF_TITLE = anyStem([
  'case ?(?:officer|handler|worker|manager)', 'investigator', 'adjudicator', 'complaints? (?:officer|resolution)', 'consumer (?:specialist|protection officer|frauds representative)', 'officer',
  'sachbearbeiter', 'referent', String.raw`juristin?\b`, 'gestionnaire', String.raw`charg[ée]e? de`, 'juriste', 'tramitador', 't[ée]cnic[oa] superior', 'funcion[áa]ri',
  'istruttor', 'funzionari', 'behandelaar', 'jurist', 'handl[äa]ggare', 'saksbehandler', 'sagsbehandler', 'fuldm[æa]gtig', 'seniorr[åa]dgiver', 'r[åa]dgiver', 'r[åa]dgivare', 'seniorjurist',
  'k[äa]sittelij', 'esittelij', 'lakimies', 'specjalist', 'g[łl][óo]wny specjalista', 'inspektor', 'referent', 'odborn[ýy] referent', '[üu]gyint[ée]z', 'consilier', 'inspector',
])

// Phrases that introduce the consumer in a notice's prose; the name follows.
export const CONSUMER_INTRO = anyStem([
  String.raw`(?:complaint|referral|rebuttal|request for mediation)s?\s(?:from|by|of|filed by|submitted by|made by|received from)\s(?:the\s)?(?:consumer\s|individual\s|complainant\s)?`,
  String.raw`has received (?:a|an|the enclosed|the following) (?:complaint|referral) from\s(?:the\s)?(?:consumer\s)?`,
  String.raw`(?:has been|was) contacted by (?:a|the) consumer,?\s`,
  String.raw`on behalf of (?:the )?consumer,?\s`,
  String.raw`the consumer,\s(?=\p{Lu})`,
  String.raw`(?:schlichtungsantrag|antrag|beschwerde|eingabe)\s(?:von|des|der)\s(?:(?:verbraucher(?:in)?|kunde|kundin)\s)?`,
  String.raw`(?:plainte|r[ée]clamation|saisine)\s(?:de|d'|d’|d[ée]pos[ée]e par|form[ée]e par)\s?`,
  String.raw`reclamaci[óo]n\s(?:formulada|presentada|interpuesta)\spor\s(?:(?:el|la)\s(?:consumidor(?:a)?|reclamante)\s)?`,
  String.raw`reclamo\s(?:presentato|proposto)\s(?:dal(?:la)?|da)\s`, String.raw`da parte del(?:la)?\s(?:(?:sig|sig\.ra)\.?\s)?`,
  String.raw`klacht\s(?:ontvangen\s)?van\s`,
  String.raw`reclama[çc][ãa]o\s(?:apresentada|registada|registrada|feita)\spel[oa]\s(?:(?:consumidor(?:a)?|reclamante)\s)?`, String.raw`reclama[çc][ãa]o\sd[oa]\s(?:consumidor(?:a)?\s)?`,
  String.raw`(?:anm[äa]lan|klagom[åa]l|en anm[äa]lan)\sfr[åa]n\s(?:konsumenten\s)?`,
  String.raw`(?:klage|en klage)\sfra\s(?:forbrugeren\s|forbrukeren\s)?`,
  String.raw`(?:skarg[aęi]|wniosek|reklamacj[aęi])\s(?:z[łl]o[żz]on[aey]\sprzez\s)?(?=pan|pani)`,
  String.raw`(?:n[áa]vrh|st[íi][žz]nost|podn[ěe]t)\s(?:spot[řr]ebitel(?:e|ky)\s)?(?=pan|pan[íi])`,
  String.raw`reclama[țt]i(?:a|e)\s(?:depus[ăa]\sde\s)?(?=dl|dna|domn)`,
])

// A deadline to respond: the mark of a notice that wants an answer.
export const DEADLINE = anyStem([
  String.raw`within (?:\d{1,3}|seven|ten|fourteen|fifteen|twenty|thirty|thirty-one) (?:calendar |business |working )?days`, String.raw`(?:respond|reply|response|answer)(?: in writing)? (?:to [\w ]{1,30} )?by\s`, String.raw`response requested`, 'deadline',
  String.raw`innerhalb (?:von )?\d{1,3} (?:tagen|wochen)`, String.raw`binnen \d{1,3} (?:tagen|wochen|dagen|weken)`, String.raw`bis (?:zum|sp[äa]testens)\s`, 'frist', 'stellungnahme',
  String.raw`dans un d[ée]lai d[e']`, String.raw`sous (?:huit|quinze|\d{1,2}) jours`, String.raw`avant le \d`, String.raw`en el plazo de`, String.raw`en un plazo`, 'plazo', String.raw`entro (?:il|\d{1,3})`, 'termine',
  String.raw`binnen (?:veertien|\d{1,3}) dagen`, 'uiterlijk', String.raw`no prazo (?:m[áa]ximo )?de`, 'prazo', String.raw`em at[ée] \d{1,3} dias`,
  String.raw`inom \d{1,3} (?:dagar|veckor)`, 'senast', String.raw`innen \d{1,3} (?:dager|uker)`, String.raw`inden \d{1,3} (?:dage|uger)`, 'senest', String.raw`svarfrist`, String.raw`fristen`,
  String.raw`\d{1,3} (?:p[äa]iv[äa]n|viikon) kuluessa`, 'm[äa][äa]r[äa]aika', String.raw`w terminie \d{1,3}`, 'termin', String.raw`do \d{1,3} (?:dn[íiů]|pracovn[íi]ch dn[ůu])`, 'lh[ůu]t',
  String.raw`\d{1,3} napon bel[üu]l`, 'hat[áa]rid', String.raw`[îi]n termen de`, String.raw`εντός \d{1,3}`,
])

// Words that say which kind of body wrote, when only its structure was recognised.
export const DATA_PROTECTION_WORDS = anyStem([
  'data protection', 'gdpr', 'personal data', 'subject access', 'privacy', 'datenschutz', 'dsgvo', 'personenbezogene', 'rgpd', String.raw`donn[ée]es personnelles`, String.raw`protecci[óo]n de datos`,
  'datos personales', 'protezione dei dati', 'dati personali', 'avg', 'persoonsgegevens', String.raw`prote[çc][ãa]o de dados`, 'dados pessoais', 'dataskydd', 'personuppgift', 'personoplysning',
  'personopplysning', 'tietosuoja', 'henkil[öo]tie', 'rodo', 'danych osobowych', String.raw`osobn[íi]ch [úu]daj`, String.raw`osobn[ýy]ch [úu]daj`, String.raw`adatv[ée]delm`, 'datelor cu caracter personal', String.raw`δεδομένων`,
])
export const DISPUTE_RESOLUTION_WORDS = anyStem([
  'ombuds', 'dispute resolution', 'adr\\b', 'alternative dispute', 'mediation', 'arbitration', 'schlichtung', String.raw`m[ée]diat`, 'arbitra', 'conciliazion', 'geschillen', 'arbitragem',
  'reklamationsn[äa]mnd', 'klagen[æa]vn', 'klageutvalg', 'klagenemnd', 'riitalautakunta', 'polubown', 'mimosoudn', 'mimos[úu]dn', String.raw`b[ée]k[ée]ltet`, 'vaidluste',
])
export const ATTORNEY_GENERAL_WORDS = anyWord([String.raw`attorney general`, String.raw`attorneys general`])
