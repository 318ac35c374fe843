// What customers write when the rubric's facts happen to them, in the languages of the EU/EEA
// and the UK/US/AU/CA/IE, BR, beyond the English, German, French, Spanish, Italian and Dutch
// patterns of severity.ts: Portuguese, Swedish, Danish, Norwegian, Finnish, Polish, Czech,
// Slovak, Hungarian, Romanian, Greek, Croatian/Slovenian, Bulgarian and the Baltic languages.
// One list per fact; each alternative is a phrase or a stem with bounded quantifiers only.
import { anyStem } from './words.ts'

// Someone else's personal data shown or sent to the customer: the three parts must meet in one
// sentence (a verb of seeing or receiving, another person, their data); a parcel for someone
// else is a misdelivery, not an exposure.
export const SEEING = anyStem([
  'see', 'saw', 'seeing', 'shows?', 'showing', 'showed', 'displayed', 'displays', 'visible', 'appear', 'access',
  'sehe', 'sah', 'angezeigt', 'sichtbar', 'je vois', 'affich', 'visible', 'veo', 'vemos', 'aparece', 'muestra', 'vedo', 'visualizz', 'compaion', 'zie', 'getoond', 'zichtbaar',
  'vejo', 'aparecem', 'mostra', 'ser jag', 'syns', 'visas', 'kan se', 'jeg ser', 'kan jeg se', 'vises', 'ser jeg', 'näen', 'näkyy', 'näkyvät',
  'widz[ęe]', 'wida[ćc]', 'wy[śs]wietla', 'vid[íi]m', 'zobrazuj', 'l[áa]tom', 'megjelen', 'v[ăa]d', 'apar', 'βλέπω', 'εμφανίζ', 'vidim', 'prikazuj', 'виждам', 'redzu', 'matau',
])
// Receiving someone else's documents is an exposure; receiving their parcel is a misdelivery.
export const RECEIVING = anyStem([
  'received', 'receiving', 'getting', 'get', 'erhalte', 'bekomme', 'reçois', 'reçu', 'recibo', 'recibiendo', 'ricevo', 'ontvang', 'recebo', 'recebendo', 'får', 'modtager', 'mottar', 'saan',
  'dostaj[ęe]', 'otrzymuj[ęe]', 'dost[áa]v[áa]m', 'kapok', 'primesc',
])
export const DOCUMENTS = anyStem([
  'invoices?', 'e-?mails', 'data', 'details', 'information', 'statements?', 'rechnung', 'daten', 'factures?', 'donn[ée]es', 'facturas?', 'datos', 'correos', 'fattur', 'dati', 'factu', 'gegevens',
  'faturas?', 'dados', 'e-?mails', 'faktur', 'uppgifter', 'oplysninger', 'opplysninger', 'lasku', 'tiedot', 'dane', '[úu]daj', 'adat', 'στοιχεί', 'данни',
])
export const OTHER_PERSON = anyStem([
  'other customers?', 'another (?:customer|person|user|member)', "other customers'", "someone else'?s", 'other (?:people|users|members)', 'different (?:customer|person)',
  'anderer kunden', 'eines anderen kunden', 'einer anderen (?:kundin|person)', 'fremde[rn]? (?:kunden|personen|leute)', "d'(?:un )?autres? clients?", "d'une autre personne",
  'de otr[oa]s? (?:cliente|persona|usuario)s?', 'de otra persona', "di (?:un )?altr[oi] client[ei]", "di un'altra persona", 'van (?:een )?andere klant(?:en)?', 'van iemand anders',
  'de outr[oa]s? (?:cliente|pessoa|usu[áa]rio)s?', 'de outra pessoa', 'en annan kunds?', 'andra kunders', 'n[åa]gon annans', 'en anden kundes?', 'andre kunders', 'en annen kunde',
  'til en annen kunde', 'andre kunders', 'noen andres', 'toisen asiakkaan', 'muiden asiakkaiden', 'jonkun muun', 'innego klienta', 'innych klient[óo]w', 'innej osoby', 'obcej osoby',
  'jin[ée]ho z[áa]kazn[íi]ka', 'jin[ýy]ch z[áa]kazn[íi]k[ůu]', 'ciz[íi]ho', 'in[ée]ho z[áa]kazn[íi]ka', 'm[áa]sik (?:v[áa]s[áa]rl[óo]|[üu]gyf[ée]l)', 'altui client', 'altor clien[țt]i',
  'άλλου πελάτη', 'drugog kupca', 'drugega kupca', 'друг клиент', 'teise kliendi', 'cita klienta', 'kito kliento',
])
export const PERSONAL_DATA = anyStem([
  'orders?', 'data', 'details', 'address', 'invoices?', 'information', 'name', 'account', 'card', 'phone',
  'bestellung', 'daten', 'adresse', 'rechnung', 'namen', 'kontodaten', 'commandes?', 'donn[ée]es', 'adresse', 'factures?', 'nom',
  'pedidos?', 'datos', 'direcci[óo]n', 'facturas?', 'nombre', 'ordini', 'dati', 'indirizz', 'fattur', 'nome', 'bestelling', 'gegevens', 'adres', 'factu', 'naam',
  'encomendas?', 'dados', 'endere[çc]o', 'faturas?', 'best[äa]llning', 'uppgifter', 'adress', 'faktur', 'namn', 'ordre', 'oplysninger', 'navn', 'bestilling', 'opplysninger',
  'tilau', 'tiedot', 'osoit', 'lasku', 'nimi', 'zam[óo]wie', 'dane', 'adres', 'faktur', 'nazwisk', 'objedn[áa]v', '[úu]daj', 'adres', 'jm[ée]n', 'rendel', 'adat', 'c[íi]m',
  'comenz', 'adres', 'παραγγελ', 'στοιχεί', 'διεύθυνση', 'narud[žz]b', 'podat', 'поръчк', 'данни', 'tellimus', 'pas[ūu]t[īi]jum', 'u[žz]sakym',
])

// An account taken over.
export const ACCOUNT_TAKEOVER = anyStem([
  'n[åa]gon har (?:loggat in|tagit sig in|kommit [åa]t) (?:p[åa]|i|till) mitt konto', 'mitt konto (?:har )?(?:blivit )?(?:hackat|kapat)', 'kontot [äa]r (?:hackat|kapat)',
  'min konto er (?:blevet )?(?:hacket|overtaget)', 'nogen har logget (?:ind|p[åa]) (?:p[åa] )?min konto', 'kontoen min er (?:blitt )?(?:hacket|kapret)', 'noen har logget (?:inn|seg inn) p[åa] kontoen min',
  'tilini on (?:kaapattu|hakkeroitu|murrettu)', 'joku on kirjautunut tililleni', 'kto[śs] (?:w[łl]ama[łl] si[ęe]|zalogowa[łl] si[ęe]|przej[ąa][łl]) (?:na|do) moje(?:go)? kont',
  'konto (?:zosta[łl]o )?(?:przej[ęe]te|zhakowane|w[łl]amane)', 'n[ěe]kdo se (?:mi )?(?:naboural|dostal|p[řr]ihl[áa]sil) (?:do|na) (?:m[ée]ho )?[úu][čc]t', '[úu][čc]et (?:byl )?(?:hacknut|napaden|prolomen|zneu[žz]it)',
  'niekto sa (?:mi )?(?:nabúral|dostal) do (?:môjho )?[úu][čc]tu', '(?:minha )?conta (?:foi )?(?:invadida|hackeada|roubada)', 'algu[ée]m (?:entrou|acessou|invadiu) (?:na|a) minha conta', 'invadiram (?:a )?minha conta',
  'felt[öo]rt[ée]k a fi[óo]kom', 'contul meu a fost (?:spart|compromis|furat)', 'cineva a intrat [îi]n contul meu', 'παραβίασαν τον λογαριασμό μου', 'netko je u[šs]ao u moj ra[čc]un',
  'my account (?:was |has been |got )?(?:hacked|taken over|compromised)', 'someone (?:got into|accessed|logged into|broke into|took over) my',
])

// Injury, allergic reaction, burns and fire; a visit to the emergency room. "Hospital" alone is
// not enough (a customer may work at one): the person must be taken there.
export const HARM = anyStem([
  'allergisk reaktion', 'allergisk reaksjon', 'akuten', 'br[äa]nnskad', 'b[öo]rjade brinna', 'fattade eld', 'tog eld', 'till sjukhuset', 'ambulans', 'skadade sig', 'blev skadad',
  'skadestuen', 'brands[åa]r', 'forbr[æa]nding', 'gik i brand', 'br[øo]d i brand', 'kom til skade', 'p[åa] hospitalet', 'legevakt', 'brannskade', 'tok fyr', 'begynte [åa] brenne',
  'brant (?:meg|seg|han|hun)', 'p[åa] sykehus', 'ambulanse', 'ble skadet', 'allergi(?:nen|sen) reakt', 'p[äa]ivystyk', 'palovam', 'syttyi palamaan', 'tulipalo', 'sairaalaan', 'ambulanssi', 'loukkaantui',
  'reakcj[aię] alergiczn', 'do szpitala', 'pogotowi', 'oparzeni', 'oparze[ńn]', 'poparzy', 'zapali[łl](?:a|o)? si[ęe]', 'po[żz]ar', 'stan[ąa][łl] w p[łl]omieniach', 'karetk', 'obra[żz]eni', 'zosta[łl](?:a)? rann',
  'alergick(?:[áa]|ou|[ýy]) reakc', 'do nemocnice', 'v nemocnici', 'pohotovost', 'pop[áa]len', 'pop[áa]lil', 'za[čc]al ho[řr]et', 'vz[ňn]al se', 'po[žz][áa]r', 'z[áa]chrank', 'zran[ěe]n',
  'alergick(?:[áa]|[úu]) reakci', 'do nemocnice', 'pop[áa]lenin', 'za[čc]al horie[ťt]', 'po[žz]iar', 'zranen',
  'rea[çc][ãa]o al[ée]rgica', 'reac[çc][ãa]o al[ée]rgica', 'pronto[- ]socorro', 'ao hospital', 'no hospital', 'queimadura', 'queimou', 'pegou fogo', 'inc[êe]ndio', 'ambul[âa]ncia', 'se machucou', 'ficou ferid',
  'allergi[áa]s reakci[óo]', 'k[óo]rh[áa]zba', '[ée]g[ée]si s[ée]r[üu]l', 'kigyulladt', 'ment[őo]t', 'megs[ée]r[üu]lt', 'reac[țt]ie alergic', 'reactie alergica', 'la spital', 'arsuri', 'a luat foc', 'incendiu', 'ambulan[țt]', 'r[ăa]nit',
  'αλλεργική αντίδραση', 'νοσοκομείο', 'εγκαύματ', 'πήρε φωτιά', 'alergijsk[ai] reakcij', 'u bolnic', 'opeklin', 'zapalio se', 'vnel se', 'алергична реакция', 'в болница', 'изгаряни', 'запали се',
  'allergiline reaktsioon', 'haiglasse', 'p[õo]letus', 's[üu]ttis p[õo]lema', 'alerģiska reakcija', 'slimn[īi]c[āa]', 'apdegum', 'aizdeg[āa]s', 'alergin[ėe] reakcija', '[įi] ligonin', 'nudegim', 'u[žz]sideg[ėe]',
])

// A business customer's system down: "nie działa", "fungerar inte" count only beside the business it stops.
export const NOT_WORKING = anyStem([
  'ligger nere', '[äa]r nere', 'har legat nere', 'fungerar inte', 'er nede', 'har v[æa]ret nede', 'har v[æa]rt nede', 'virker ikke', 'fungerer ikke', 'on (?:ollut )?alhaalla', 'ei toimi', 'ei ole toiminut',
  'nie dzia[łl]a', 'przesta[łl] dzia[łl]a[ćc]', 'awari[aię]', 'nefunguje', 'nejde', 'v[ýy]padek', 'v[ýy]padok', 'nedostupn', 'fora do ar', 'n[ãa]o funciona', 'est[áa] em baixo', 'indispon[íi]vel',
  'nem m[űu]k[öo]dik', 'le[áa]llt', 'el[ée]rhetetlen', 'nu func[țt]ioneaz[ăa]', 'a c[ăa]zut', 'indisponibil', 'δεν λειτουργεί', 'ne radi', 'ne deluje', 'не работи', 'ei t[öo][öo]ta', 'nedarbojas', 'neveikia',
])
export const BUSINESS_STOPPED = anyStem([
  'b2b[- ]?portal', 'forhandlerportal', '[åa]terf[öo]rs[äa]ljarportal', 'j[äa]lleenmyyj[äa]portaal', 'portal(?:u|em)? (?:b2b|dla partner[óo]w|dealersk)', 'portal de revendedores', 'portal (?:de|do) parceiro',
  'partnerportal', 'dealerportal', 'kereskedői portál', 'portalul (?:de )?parteneri',
  'butikkene v[åa]re', 'v[åa]ra butiker', 'vores butikker', 'myym[äa]l[äa]mme', '(?:as )?nossas lojas', 'nasze sklepy', 'na[šs]e prodejny', 'na[šs]e obchody', '[üu]zleteink', 'magazinele noastre',
  'kan ikke (?:legge inn |ta imot )?(?:bestill|ordre)', 'kan inte (?:ta emot |l[äa]gga )?(?:best[äa]ll|order)', 'kan ikke (?:modtage |afgive )?(?:bestill|ordre)', 'eiv[äa]t voi tilata', 'emme voi (?:ottaa )?tilau',
  'nie mog[ąa] sk[łl]ada[ćc] zam[óo]wie', 'nie mo[żz]emy przyjmowa[ćc] zam[óo]wie', 'nemohou objedn[áa]vat', 'nem[ůu][žz]eme p[řr]ij[íi]mat objedn[áa]v', 'n[ãa]o conseguem (?:fazer )?(?:encomendas|vender|pedidos)',
  'n[ãa]o conseguimos vender', 'nem tudunk rendel', 'nu putem (?:vinde|comanda)',
])

// A lawsuit filed by the customer.
export const LAWSUIT_FILED = anyStem([
  'st[äa]mningsans[öo]kan', 'jag har st[äa]mt', 'vi har st[äa]mt', 'st[æa]vning', 'har sags[øo]gt', 'stevning', 'har saks[øo]kt', 'forliksklage', 'haastehakemus', 'nostanut kanteen',
  'z[łl]o[żz]y[łl](?:em|am)? pozew', 'pozew (?:do s[ąa]du|zosta[łl])', 'podal(?:a)? jsem (?:na v[áa]s )?[žz]alob', '[žz]alob[ua] (?:k soudu|byla pod[áa]na)', 'podal(?:a)? som (?:na v[áa]s )?[žz]alob',
  'entrei com (?:uma )?(?:a[çc][ãa]o|processo)', 'a[çc][ãa]o judicial (?:foi )?(?:ajuizada|proposta)', 'processo no juizado', 'pert ind[íi]tottam', 'keresetet ny[úu]jtottam be', 'v-am dat [îi]n judecat[ăa]',
])

// An explicit legal threat.
export const LEGAL_THREAT = anyStem([
  'vou (?:processar|entrar na justi[çc]a|procurar (?:um|meu) advogado)', 'meu advogado', 'a[çc][ãa]o judicial', 'juizado especial',
  '(?:skieruj[ęe]|oddam) spraw[ęe] do s[ąa]du', 'm[óo]j prawnik', 'm[óo]j adwokat', 'drog[ąa] s[ąa]dow[ąa]', 'obr[áa]t[íi]m se na (?:soud|advok[áa]ta|pr[áa]vn[íi]ka)', 'pr[áa]vn[íi] cestou', 'm[ůu]j advok[áa]t',
  'kommer att (?:st[äa]mma|v[äa]nda mig till (?:en )?advokat)', 'r[äa]ttsliga [åa]tg[äa]rder', 'min advokat', 'vil (?:sags[øo]ge|saks[øo]ke|g[åa] til advokat)', 'retslige skridt', 'rettslige skritt',
  'vien asian oikeuteen', 'asianajaja', 'oikeusteitse', 'b[íi]r[óo]s[áa]ghoz fordulok', '[üu]gyv[ée]dhez fordulok', 'v[ăa] voi da [îi]n judecat[ăa]', 'avocatul meu',
])

// A threat to go public, and audiences in more languages.
export const MEDIA_THREAT = anyStem([
  'imprensa', 'reclame aqui', 'redes sociais', 'prasy', 'prasie', 'dziennikarz', 'medi[íi]m', 'novin[áa][řr]', 'pressen', 'medierna', 'medierne', 'mediene', 'journalist',
  'toimittaja', 'sajt[óo]hoz', 'presei', 'jurnali[șs]t',
])
export const FOLLOWERS = /(?<![\d,.])\d[\d,.\s]{0,12}\s?[kKmM]?\s(?:f[øo]lgere|f[öo]ljare|seguidores|obserwuj[ąa]cych|sleduj[íi]c[íi]ch|seuraajaa|k[öo]vet[őo]|urm[ăa]ritori|ακόλουθους)(?![\p{L}])/iu

// A churn threat.
export const CHURN_WORDS = anyStem([
  'opsige[rn]?', 'si opp', 'sier opp', 'irtisano', 'peruutan tilaukse', 'en en[äa][äa] osta', 'rezygnuj[ęe]', 'wypowiadam umow[ęe]', 'nigdy wi[ęe]cej nie kupi', 'zru[šs][íi]m', 'ru[šs][íi]m (?:p[řr]edplatn|smlouv)',
  'u[žz] nikdy nenakoup', 'vou cancelar', 'cancelar (?:a|minha) assinatura', 'nunca mais compro', 'lemondom', 'soha t[öo]bb[ée]', 'renun[țt]', 'anulez abonamentul', 'nu mai cump[ăa]r',
])

// The impact that makes a customer's complaint SEV-3 rather than a minor matter (SEV-4).
export const MONEY_LOST = anyStem([
  'charged (?:me |my card |us )?(?:twice|again|two times)', "(?:nobody|no one) (?:has )?refunded", "(?:haven't|has not|hasn't) (?:been )?refunded", 'double[- ]charged', 'charged (?:me )?after', 'still (?:no|not|haven[\'’]?t|waiting)', '(?:never|not) (?:been )?refunded', 'no refund', 'owe me', 'waiting for (?:my|the|a) refund', 'refunded nothing',
  'doppelt abgebucht', 'zweimal abgebucht', 'warte seit', 'keine erstattung', 'noch (?:immer )?nicht (?:zur[üu]ck)?erstattet', 'geld (?:noch )?nicht zur[üu]ck', 'immer noch kein geld',
  'd[ée]bit[ée]e? deux fois', 'pr[ée]lev[ée]e? deux fois', 'toujours pas (?:[ée]t[ée] )?rembours', 'jamais [ée]t[ée] rembours', "j'attends (?:toujours )?(?:mon|le) rembours", "j[’']ai [ée]t[ée] d[ée]bit[ée]", "j[’']ai [ée]t[ée] pr[ée]lev[ée]",
  'cobrado dos veces', 'cobro duplicado', 'sigo esperando', 'todav[íi]a no (?:me )?(?:han )?devuelto', 'no he recibido (?:el|mi) reembolso', 'me han cobrado',
  'addebitat[oa] due volte', 'doppio addebito', 'ancora nessun rimborso', 'non ho ancora ricevuto il rimborso', 'aspetto (?:ancora )?il rimborso',
  'dubbel afgeschreven', 'twee keer afgeschreven', 'wacht al', 'nog steeds geen (?:terugbetaling|geld)', 'geld nog niet terug',
  'cobrad[oa] duas vezes', 'cobran[çc]a (?:em )?duplicad', 'ainda n[ãa]o (?:recebi|devolveram|fui reembolsad)', 'j[áa] (?:foi )?cobrado', 'valor j[áa] foi cobrado', 'estou esperando (?:o )?reembolso', 'aguardo (?:o )?reembolso',
  'dubbeldebiterad', 'debiterad tv[åa] g[åa]nger', 'v[äa]ntat p[åa] (?:min |en )?[åa]terbetalning', 'fortfarande inte f[åa]tt', 'trukket to gange', 'dobbelt trukket', 'venter stadig p[åa]', 'har ikke f[åa]et pengene',
  'trukket to ganger', 'belastet to ganger', 'venter fortsatt p[åa]', 'ikke f[åa]tt pengene', 'veloitettu (?:kahdesti|kahteen kertaan)', 'odotan edelleen', 'en ole saanut rahoja',
  'pobrano (?:dwukrotnie|dwa razy)', 'pieni[ąa]dze (?:zosta[łl]y )?pobrane', 'czekam na zwrot', 'brak zwrotu', 'nadal czekam', 'str[žz]eno dvakr[áa]t', 'st[áa]le [čc]ek[áa]m', 'pen[íi]ze (?:mi )?(?:st[áa]le )?nevr[áa]til', '[čc]ek[áa]m na vr[áa]cen',
  'k[ée]tszer (?:vont[áa]k|terhelt[ée]k)', 'm[ée]g mindig v[áa]rok', 'nem kaptam vissza', 'debitat de dou[ăa] ori', '[îi]nc[ăa] a[șs]tept', 'nu am primit banii',
])
export const ORDER_MISSING = anyStem([
  'never (?:arrived|came|showed up|been delivered)', "(?:hasn[’']?t|has not|still not|didn[’']?t|did not) (?:arrived?|been delivered|come)", 'not (?:been )?delivered', 'lost (?:parcel|package|in transit)', 'missing (?:order|parcel|package)',
  'nie angekommen', 'nicht angekommen', 'nicht geliefert', 'noch nicht (?:da|angekommen|geliefert)', 'paket (?:ist )?verloren', 'jamais (?:[ée]t[ée] )?(?:arriv|re[çc]u|livr)', "n[’']est (?:toujours |jamais )?pas arriv", "n[’']est jamais arriv", 'pas [ée]t[ée] livr', 'colis perdu',
  'nunca (?:lleg[óo]|ha llegado)', 'no (?:me )?ha llegado', 'no he recibido (?:el|mi) pedido', 'paquete perdido', 'mai arrivat', 'non [èe] (?:mai|ancora) arrivat', 'pacco smarrito', 'nooit aangekomen', 'niet (?:aangekomen|geleverd)', 'pakket (?:is )?kwijt',
  'nunca chegou', 'n[ãa]o chegou', 'ainda n[ãa]o chegou', 'n[ãa]o (?:foi )?entregue', 'extraviad', 'aldrig kommit', 'har inte kommit', 'inte levererats', 'paketet (?:har )?f[öo]rsvunnit',
  'aldrig (?:kommet|modtaget)', 'er ikke kommet', 'ikke leveret', 'pakken er forsvundet', 'aldri (?:kommet|mottatt)', 'har ikke kommet', 'ikke levert', 'pakken er borte',
  'ei ole (?:koskaan )?saapunut', 'ei ole tullut', 'paketti (?:on )?kadonnut', 'nie dotar[łl]', 'nigdy nie dotar[łl]', 'nie dosz[łl]', 'paczka zagin[ęe][łl]a', 'nedorazil', 'nep[řr]i[šs]l', 'nebyl(?:a|o)? doru[čc]en', 'z[áa]silka se ztratila',
  'nem [ée]rkezett meg', 'nem kaptam meg', 'elveszett a csomag', 'nu a ajuns', 'nu am primit comanda', 'colet pierdut',
])
export const PRODUCT_BROKEN = anyStem([
  'broke', 'broken', 'fell apart', 'stopped working', 'defective', 'faulty', 'leak(?:s|ed|ing)', 'torn', 'ripped', 'cracked', 'snapped', 'split open', 'came apart',
  'kaputt', 'gerissen', 'gebrochen', 'undicht', 'defekt', 'funktioniert nicht mehr', 'cass[ée]', "s[’']est cass", 'd[ée]chir', 'd[ée]fectueu', 'ne fonctionne plus', 'fuit',
  'se rompi[óo]', 'se ha roto', 'roto', 'defectuos', 'descosid', 'se abri[óo]', 'gotea', 'si [èe] rott', 'rotto', 'difettos', 'strappat', 'kapot', 'gescheurd', 'lekt', 'gebroken',
  'quebrou', 'quebrad', 'rasgou', 'rasgad', 'defeito', 'defeituos', 'estragou', 'vaza', 'gick s[öo]nder', 'trasig', 'l[äa]cker', 'sprack', 'gik i stykker', 'i stykker', 'revnet', 'ut[æa]t', 'kn[æa]kket',
  'gikk i stykker', 'lekker', '[øo]delagt', 'knakk', 'hajosi', 'rikki', 'repesi', 'vuotaa', 'viallinen', 'zepsu[łl]', 'zepsut', 'rozdar[łl]', 'p[ęe]k[łl]', 'p[ęe]kni[ęe]t', 'wadliw', 'przecieka', 'rozpad[łl]',
  'rozbil', 'rozbit', 'roztrh', 'prasklo', 'vadn', 'te[čc]e', 'elromlott', 'elt[öo]r[öo]tt', 'elszakadt', 'hib[áa]s', 's-a stricat', 's-a rupt', 'defect',
])
export const REPEATED = anyStem([
  // waiting for weeks, nobody solving it
  "(?:i've|i have) been waiting", 'waiting (?:for )?(?:over |more than )?(?:a|one|two|three|four|\\d{1,2}) (?:weeks?|months?)', '(?:nobody|no one) (?:has )?(?:helped|solved|fixed)',
  'llevo (?:\\d{1,2}|un|una|dos|tres|cuatro) (?:d[íi]as|semanas?|mes(?:es)?)', 'nadie me da (?:una )?soluci[óo]n', "j'attends depuis", 'aspetto da', 'espero h[áa]', 'esperando h[áa]',
  'czekam (?:ju[żz] )?od', '[čc]ek[áa]m u[žz]', 'v[äa]ntat (?:i|sedan)', 'venter (?:nu )?siden', 'ventet i', 'odotan jo', 'ich warte (?:jetzt )?seit', 'wacht al (?:\\d{1,2}|twee|drie|vier) weken',
  '(?:second|third|fourth|fifth|\\d{1,2}(?:st|nd|rd|th)) time', 'again and again', '(?:several|multiple|many) times', 'no(?: ?one|body) (?:has )?(?:replied|answered|responded|gets back)', 'no (?:reply|answer|response)',
  'still waiting', 'still no', '(?:\\d{1,2}|two|three|four|five|six) (?:weeks|months) (?:now|later|without|and)',
  'zum (?:zweiten|dritten|vierten|f[üu]nften) mal', 'schon wieder', '(?:niemand|keiner) antwortet', 'keine antwort', 'seit (?:\\d{1,2}|zwei|drei|vier|f[üu]nf|sechs) (?:wochen|monaten)',
  '(?:deuxi[èe]me|troisi[èe]me|quatri[èe]me) fois', 'encore une fois', 'personne ne (?:me )?r[ée]pond', 'aucune r[ée]ponse', 'depuis (?:\\d{1,2}|deux|trois|quatre) (?:semaines|mois)',
  '(?:segunda|tercera|cuarta) vez', 'sigo sin', 'nadie (?:me )?responde', 'sin respuesta', 'desde hace (?:\\d{1,2}|dos|tres|cuatro) (?:semanas|meses)',
  '(?:seconda|terza|quarta) volta', 'ancora una volta', 'nessuno (?:mi )?(?:ha )?rispost', 'nessuno risponde', 'nessuna risposta', 'da (?:\\d{1,2}|due|tre|quattro) (?:settimane|mesi)',
  '(?:tweede|derde|vierde) keer', 'niemand (?:reageert|antwoordt)', 'geen (?:reactie|antwoord)', 'nog steeds niets',
  '(?:segunda|terceira|quarta) vez', 'ningu[ée]m (?:me )?respond', 'sem resposta', 'h[áa] (?:\\d{1,2}|duas|tr[êe]s|quatro) (?:semanas|meses)',
  '(?:andra|tredje|fj[äa]rde) g[åa]ngen', 'ingen (?:svarar|har svarat)', 'inget svar', 'i (?:\\d{1,2}|tv[åa]|tre|fyra) (?:veckor|m[åa]nader)',
  '(?:anden|tredje|fjerde) gang', 'ingen svarer', 'intet svar', 'ikke f[åa]et svar', 'stadig ikke', '(?:andre|tredje|fjerde) gang', 'ikke f[åa]tt svar', 'fortsatt ikke',
  '(?:toista|kolmatta|nelj[äa]tt[äa]) kertaa', 'kukaan ei vastaa', 'ei vastausta', '(?:drugi|trzeci|czwarty) raz', 'po raz (?:drugi|trzeci|kolejny)', 'nikt nie odpowiada', 'brak odpowiedzi', 'od (?:\\d{1,2}|dw[óo]ch|trzech) tygodni',
  'podruh[ée]', 'pot[řr]et[íi]', 'nikdo (?:mi )?neodpov[íi]d', 'bez odpov[ěe]di', 'u[žz] (?:\\d{1,2}|dva|t[řr]i) t[ýy]dn', 'm[áa]sodszor', 'harmadszor', 'senki nem v[áa]laszol', 'a (?:doua|treia) oar[ăa]', 'nimeni nu r[ăa]spunde',
])
export const DELAYED = anyStem([
  '(?:\\d{1,2}|two|three|four|five|six) (?:days|weeks) (?:late|overdue)', '(?:is|are|was|still) (?:late|delayed|overdue)', 'versp[äa]tet', 'en retard', 'retrasad', 'in ritardo', 'vertraagd', 'atrasad', 'f[öo]rsenad', 'forsinket',
  'my[öo]h[äa]ss[äa]', 'op[óo][źz]nion', 'zpo[žz]d[ěe]n', 'k[ée]sik', '[îi]nt[âa]rzi',
])
// A business whose own customers or operation suffer: "their shop opens Saturday without stock".
export const BUSINESS_HURT = anyStem([
  'turn(?:ed|ing)? (?:customers|people|members|clients) away', '(?:our|their) (?:shop|store)s? opens?', 'without stock', '(?:our|their) (?:customers|clients) are waiting', 'unsere kunden warten',
  'nos clients attendent', 'nuestros clientes esperan', 'i nostri clienti aspettano', 'onze klanten wachten', 'os nossos clientes', 'v[åa]ra kunder v[äa]ntar', 'vores kunder venter', 'kundene v[åa]re venter',
])
