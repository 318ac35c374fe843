// The words of counsel's letters in the languages of the EU/EEA and the UK/US/AU/CA/IE, BR: the
// legal professions and their firms, "on behalf of our client / we represent", the kinds of
// legal letter, and a suit filed or served. One list per purpose; each alternative is a word or a
// short bounded fragment.
import { anyStem, anyWord } from './words.ts'

// Firms and the professions' titles.
export const FIRM = anyWord([
  'LLP', 'PLLC', String.raw`P\.C\.`, String.raw`L\.L\.C\.`, 'attorney-client', 'attorney work product', String.raw`law (?:office|offices|group|firm|chambers)`, 'attorneys? at law', 'injury lawyers', 'solicitors?', 'barristers?', String.raw`esq\.?`,
  String.raw`rechtsanw[äa]lt(?:e|in|innen)?`, 'rechtsanwaltskanzlei', 'kanzlei', 'anwaltskanzlei', String.raw`avocats?`, 'avocate', String.raw`cabinet d'avocats`, 'barreau',
  String.raw`abogad[oa]s?`, 'despacho', 'bufete', 'studio legale', String.raw`avvocat[oi]`, String.raw`avv\.`, 'advocaten', 'advocaat', 'advocatenkantoor',
  String.raw`advogad[oa]s?`, 'sociedade de advogados', String.raw`escrit[óo]rio de advocacia`, 'advocacia', 'OAB',
  'adwokat', String.raw`adw\.`, String.raw`radc(?:a|y) prawn(?:y|ego)`, String.raw`r\.\s?pr\.`, String.raw`kancelaria (?:adwokacka|prawna|radcy prawnego|radców prawnych)`, 'kancelaria',
  String.raw`advokat(?:byr[åa]|firma|firman|firmaet|fuldmægtig)?`, 'advokater', 'advokatene', 'asianajotoimisto', 'asianajaja', 'lakiasiaintoimisto',
  String.raw`advok[áa]tn[íi] kancel[áa][řr]`, String.raw`advok[áa]t(?:ka)?`, String.raw`advok[áa]tska kancel[áa]ria`, String.raw`[üu]gyv[ée]di iroda`, String.raw`[üu]gyv[ée]d`,
  String.raw`cabinet de avocat(?:ur[ăa])?`, 'avocat', String.raw`δικηγορ\p{L}*`, 'advokaadib[üu]roo', String.raw`advok[āa]ts`, String.raw`advokat[uų] kontora`, String.raw`odvjetni(?:k|[čc]ki ured)`, String.raw`odvetni(?:k|[šs]ka pisarna)`,
])

// A kind of legal letter.
export const LETTER = anyWord([
  'cease and desist', String.raw`demand (?:letter|for)`, String.raw`letter before (?:claim|action)`, String.raw`notice of (?:claim|breach)`, 'formal demand', 'final demand',
  String.raw`preserv(?:e|ation of) (?:all )?(?:documents|evidence)`, 'litigation hold', String.raw`(?:our client|we) reserves? all (?:of (?:its|his|her|their) )?rights`, 'reserves all rights',
  'abmahnung', String.raw`unterlassungs(?:erkl[äa]rung)?`, 'mahnung', 'fristsetzung', 'mise en demeure', String.raw`requerimiento(?: extrajudicial)?`, 'burofax', 'diffida', 'messa in mora', 'sommatie', 'ingebrekestelling',
  String.raw`notifica[çc][ãa]o extrajudicial`, String.raw`interpela[çc][ãa]o`, 'notificamos', String.raw`notific[áa]-l(?:os|as)`,
  String.raw`(?:przeds[ąa]dowe |ostateczne )?wezwanie do (?:zap[łl]aty|zwrotu|usuni[ęe]cia)`, String.raw`przeds[ąa]dowe wezwanie`,
  'kravbrev', 'betalningskrav', String.raw`p[åa]krav`, 'krav om heving', 'reklamasjon', 'maksuvaatimus', 'vaatimuskirje',
  String.raw`p[řr]ed[žz]alobn[íi] v[ýy]zva`, String.raw`v[ýy]zva k (?:plnen[íi]|zaplacen[íi])`, String.raw`predž?alobn[áa] v[ýy]zva`, String.raw`fizet[ée]si felsz[óo]l[íi]t[áa]s`, String.raw`felsz[óo]l[íi]t`,
  String.raw`soma[țt]ie`, String.raw`notificare`, String.raw`εξώδικ\p{L}*`, 'opomin', 'nõudekiri',
])

// Counsel says whom it acts for; the name follows (in some languages declined: see declension.ts).
export const REPRESENTS = anyStem([
  String.raw`(?:this (?:firm|office) represents|we represent|we act for|we are instructed by|we have been instructed (?:by|to act for)|i represent|i act for|we have been retained by|acting on behalf of|we are instructed on behalf of)\s`,
  String.raw`on behalf of (?:our|my) clients?,?\s`,
  // Counsel asking to be the only contact speaks for a client even without naming one here.
  String.raw`(?:direct|address) all (?:further )?(?:communications?|correspondence)(?: (?:regarding|concerning|in) this matter)? to (?:the undersigned|this (?:office|firm))`, String.raw`do not contact (?:my|our) client`,
  String.raw`(?:our|my) client,?\s(?=\p{Lu})`, String.raw`our client\s?[:：]\s*`, String.raw`in relation to our client\s`,
  String.raw`(?:wir|ich) (?:vertreten|vertrete)\s(?:die (?:rechtlichen )?interessen (?:von|des|der)\s)?`, String.raw`(?:die|den) rechtlichen interessen (?:von|des|der)\s`,
  String.raw`unser(?:e|er)? mandant(?:in)?\s?[:：]?\s*`, String.raw`unserer mandantin\s`, String.raw`unseres mandanten\s`, String.raw`namens und in vollmacht (?:von|des|der|unserer?)\s(?:mandant(?:in|en)?\s)?`,
  String.raw`(?:nous repr[ée]sentons|je repr[ée]sente|en qualit[ée] de conseil d[e']\s?|au nom et pour le compte d[e']\s?|pour le compte de (?:mon|notre) client(?:e)?,?\s)`,
  String.raw`(?:mon|notre) client(?:e)?,?\s(?=(?:M\.|Mme|Monsieur|Madame|\p{Lu}))`,
  String.raw`en (?:nombre y )?representaci[óo]n de\s`, String.raw`(?:nuestr[oa]|mi) client(?:e|a),?\s(?=(?:D\.|Dña|Don|Doña|Sr|Sra|\p{Lu}))`,
  String.raw`in nome e per conto (?:del(?:la)?|di)\s`, String.raw`(?:il mio|la mia|nostro|nostra) (?:assistit[oa]|cliente),?\s(?=(?:Sig|\p{Lu}))`,
  String.raw`namens (?:onze|mijn) cli[ëe]nt(?:e)?,?\s`, String.raw`(?:onze|mijn) cli[ëe]nt(?:e)?,?\s(?=(?:de heer|mevrouw|\p{Lu}))`,
  // pt, pt-BR
  String.raw`na qualidade de (?:mandat[áa]ri[oa]s?|advogad[oa]s?|procurador(?:es|a)?) d[aeo]s?\s(?:(?:nosso|nossa|meu|minha|seu|sua)\s(?:cliente|constituinte),?\s)?`,
  String.raw`em (?:nome|representa[çc][ãa]o) d[aeo]s?\s(?:(?:nosso|nossa|meu|minha|seu|sua)\s(?:cliente|constituinte),?\s)?`, String.raw`em nome e (?:em )?representa[çc][ãa]o d[aeo]s?\s`,
  String.raw`(?:o nosso|a nossa|nosso|nossa|meu|minha) (?:cliente|constituinte),?\s(?=\p{Lu})`,
  // pl
  String.raw`dzia[łl]aj[ąa]c (?:jako pe[łl]nomocnik|w imieniu(?: i na rzecz)?)\s(?:(?:mojego|mojej|naszego|naszej)\s(?:klienta|klientki|mocodawcy|mocodawczyni|mandanta|mandantki),?\s)?`,
  String.raw`w imieniu i na rzecz\s(?:(?:mojego|mojej|naszego|naszej)\s(?:klienta|klientki|mocodawcy|mocodawczyni),?\s)?`, String.raw`jako pe[łl]nomocnik\s`, String.raw`reprezentuj[ęe](?:my)?\s`,
  String.raw`(?:m[óo]j|moja|nasz|nasza) (?:klient|klientka|mocodawca|mocodawczyni),?\s(?=\p{Lu})`,
  // sv, da, no, fi
  String.raw`(?:undertecknad|jag|vi) (?:f[öo]retr[äa]der|representerar)\s`, String.raw`som ombud f[öo]r\s`, String.raw`(?:min|v[åa]r) (?:klient|huvudman),?\s(?=\p{Lu})`,
  String.raw`(?:undertegnede|jeg|vi) (?:repr[æa]senterer|representerer|er advokat for|bist[åa]r)\s`, String.raw`p[åa] vegne af (?:min|vores) klient`, String.raw`p[åa] vegne av (?:min|v[åa]r) klient`,
  String.raw`(?:min|vores|v[åa]r) (?:klient|oppdragsgiver),?\s(?=\p{Lu})`, String.raw`edustamme\s`, String.raw`(?:p[äa][äa]miehemme|p[äa][äa]mieheni),?\s(?=\p{Lu})`,
  // cs, sk, hu, ro, el, et, lv, lt
  String.raw`v zastoupen[íi] (?:m[ée]ho|na[šs]eho) (?:klienta|klientky),?\s`, String.raw`jm[ée]nem (?:m[ée]ho|na[šs]eho) (?:klienta|klientky),?\s`, String.raw`zastupuj(?:i|eme)\s`,
  String.raw`(?:m[ůu]j|n[áa][šs]) (?:klient|klientka),?\s(?=\p{Lu})`, String.raw`v (?:zast[úu]pen[íi]|mene) (?:m[ôo]jho|n[áa][šs]ho) klienta,?\s`,
  String.raw`[üu]gyfel(?:[üu]nk|em),?\s(?=\p{Lu})`, String.raw`megb[íi]z[óo](?:m|nk),?\s(?=\p{Lu})`,
  String.raw`[îi]n numele (?:clientului|clientei) (?:meu|mele|nostru|noastre),?\s`, String.raw`(?:clientul|clienta) (?:meu|mea|nostru|noastr[ăa]),?\s(?=\p{Lu})`,
  String.raw`εκ μέρους του εντολέα μας,?\s`, String.raw`minu klient,?\s(?=\p{Lu})`, String.raw`mans klients,?\s(?=\p{Lu})`, String.raw`mano klient(?:as|ė),?\s(?=\p{Lu})`,
])
export const NOT_FOR_CLIENT = anyStem([String.raw`not on behalf of (?:anyone|anybody|a client)`, String.raw`writing (?:as|for) (?:a customer|myself)`, 'in eigener sache', 'en mon nom propre', String.raw`em nome pr[óo]prio`, String.raw`we w[łl]asnym imieniu`, String.raw`ve vlastn[íi] v[ěe]ci`, String.raw`f[öo]r egen r[äa]kning`])

// A suit served or filed, not "does not accept service of process by email" in a firm's footer.
export const SERVED = anyStem([
  String.raw`service of process (?:has been |was )?(?:received|effected|made)`, String.raw`process (?:was |has been )?served`, String.raw`served (?:on|upon|with)`, String.raw`(?:has|have|we'?ve) been served`,
  String.raw`summons(?: and complaint)?`, String.raw`complaint (?:was |has been )?filed (?:in|with) (?:the )?\p{Lu}`,
  String.raw`klage\s(?:\S+\s){0,6}(?:zugestellt|eingegangen|erhoben)`, 'zugestellte klage', 'assignation', String.raw`demanda (?:judicial )?(?:notificada|interpuesta)`, 'atto di citazione', 'dagvaarding',
  String.raw`pozew (?:zosta[łl] |zostal )?(?:z[łl]o[żz]ony|wniesiony|skierowany)`, String.raw`z[łl]o[żz]y(?:li[śs]my|[łl]em|[łl]am) pozew`, String.raw`wniesiono pozew`,
  String.raw`(?:podali jsme|byla podána|podal jsem) (?:na v[áa]s )?[žz]alob`, String.raw`[žz]aloba (?:byla )?pod[áa]na`,
  String.raw`a[çc][ãa]o (?:judicial )?(?:foi )?(?:ajuizada|proposta|distribu[íi]da|intentada)`, String.raw`cita[çc][ãa]o`,
  String.raw`st[äa]mningsans[öo]kan (?:har )?(?:l[äa]mnats in|inl[äa]mnad|inkommit)`, String.raw`st[æa]vning (?:er )?indleveret`, String.raw`stevning (?:er )?(?:tatt ut|sendt)`,
  String.raw`haastehakemus (?:on )?j[äa]tetty`, String.raw`keresetet (?:ny[úu]jtottunk be|beny[úu]jtottuk)`, String.raw`cerere(?:a)? de chemare [îi]n judecat[ăa]`,
])
export const COURT = anyStem(['court', 'gericht', 'tribunal', 'juzgado', 'tribunale', 'rechtbank', 'answer or appearance', 's[ąa]d', 'soud', 'tingsr[äa]tt', 'tingrett', 'byret', 'k[äa]r[äa]j[äa]oikeus', 'b[íi]r[óo]s[áa]g', 'instan[țt]', 'juizado', 'vara c[íi]vel'])
