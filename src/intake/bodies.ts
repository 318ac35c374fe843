// The complaints bodies a notice can come from, as a maintained table: the national consumer
// bodies, dispute boards (ADR), ombudsmen and data-protection authorities of the EU/EEA, the UK,
// Switzerland, the US, Canada, Australia, New Zealand and Brazil, by the domains they write from
// and the names they sign with. A body missing here is still recognised by the structure of its
// notice (see notices.ts): an official sender, a reference, a named consumer, a deadline.
// Kinds: `ombudsman` covers ombudsmen and the consumer dispute boards (ADR); `consumer_affairs`
// the other government consumer bodies (consumer councils, trading standards, fair trading,
// trade inspections). Add a body with its domains (the registrable part is enough: a subdomain
// matches) and its names (regex fragments, matched as whole words, case-insensitive) or
// acronyms (matched case-sensitively, as bodies write them in capitals).
import { anyWord } from './words.ts'

export type BodyKind = 'bbb' | 'cfpb' | 'attorney_general' | 'ombudsman' | 'data_protection_authority' | 'consumer_affairs'
/** `runsAdr`: the body also runs a dispute-resolution service; its ADR notices are an ombudsman's. */
export type Body = { kind: BodyKind; country: string; domains: string[]; names: string[]; acronyms?: string[]; runsAdr?: boolean }

export const BODIES: Body[] = [
  // United States
  {
    kind: 'bbb',
    country: 'US',
    domains: ['bbb.org'],
    names: ['better business bureau', String.raw`bbb (?:serving|business portal|great|of)`],
    acronyms: ['BBB'],
  },
  {
    kind: 'cfpb',
    country: 'US',
    domains: ['consumerfinance.gov', 'cfpb.gov'],
    names: ['consumer financial protection bureau', 'cfpb company portal'],
    acronyms: ['CFPB'],
  },
  {
    kind: 'attorney_general',
    country: 'US',
    domains: ['naag.org', 'mass.gov', 'myfloridalegal.com', 'texasattorneygeneral.gov', 'ag.ny.gov', 'oag.ca.gov', 'atg.wa.gov'],
    names: [String.raw`office of the (?:state )?attorney general`, String.raw`attorney general'?s office`, 'attorneys? general'],
    acronyms: ['AGO', 'ATG', 'OAG'],
  },
  {
    kind: 'consumer_affairs',
    country: 'US',
    domains: ['ftc.gov', 'dcwp.nyc.gov', 'dca.ca.gov'],
    names: [
      'federal trade commission',
      String.raw`department of consumer (?:and worker )?(?:protection|affairs)`,
      'consumer affairs',
      String.raw`consumer (?:protection|services) (?:division|bureau|department)`,
    ],
    acronyms: ['FTC', 'DCWP'],
  },
  // United Kingdom and Ireland
  {
    kind: 'ombudsman',
    country: 'GB',
    domains: [
      'financial-ombudsman.org.uk',
      'ombudsman-services.org',
      'energyombudsman.org',
      'themotorombudsman.org',
      'consumer-ombudsman.org',
      'rics.org',
      'cedr.com',
    ],
    names: [String.raw`ombuds(?:man|person|service)s?`, 'financial ombudsman service'],
  },
  {
    kind: 'data_protection_authority',
    country: 'GB',
    domains: ['ico.org.uk'],
    names: [String.raw`information commissioner'?s? office`, 'information commissioner'],
    acronyms: ['ICO'],
  },
  {
    kind: 'consumer_affairs',
    country: 'GB',
    domains: ['citizensadvice.org.uk', 'tradingstandards.uk', 'cma.gov.uk'],
    names: ['trading standards', 'citizens advice', 'competition and markets authority'],
  },
  {
    kind: 'consumer_affairs',
    country: 'IE',
    domains: ['ccpc.ie', 'eccireland.ie'],
    names: ['competition and consumer protection commission', 'european consumer centre ireland'],
    acronyms: ['CCPC'],
  },
  { kind: 'ombudsman', country: 'IE', domains: ['fspo.ie'], names: ['financial services and pensions ombudsman'], acronyms: ['FSPO'] },
  { kind: 'data_protection_authority', country: 'IE', domains: ['dataprotection.ie'], names: ['data protection commission'] },
  // Canada
  {
    kind: 'data_protection_authority',
    country: 'CA',
    domains: ['priv.gc.ca', 'cai.gouv.qc.ca', 'oipc.bc.ca', 'ipc.on.ca'],
    names: [
      'office of the privacy commissioner',
      String.raw`commissariat à la protection de la vie privée`,
      String.raw`commission d'accès à l'information`,
      'information and privacy commissioner',
    ],
  },
  {
    kind: 'consumer_affairs',
    country: 'CA',
    domains: ['opc.gouv.qc.ca', 'competition-bureau.gc.ca', 'cpo.on.ca'],
    names: ['office de la protection du consommateur', 'consumer protection (?:ontario|bc|bureau)', 'competition bureau'],
  },
  {
    kind: 'ombudsman',
    country: 'CA',
    domains: ['obsi.ca', 'ccts-cprst.ca'],
    names: ['ombudsman for banking services and investments', 'commission for complaints for telecom-television services'],
    acronyms: ['OBSI', 'CCTS'],
  },
  // Australia and New Zealand
  {
    kind: 'consumer_affairs',
    country: 'AU',
    domains: [
      'accc.gov.au',
      'fairtrading.nsw.gov.au',
      'consumer.vic.gov.au',
      'qld.gov.au',
      'commerce.wa.gov.au',
      'cbs.sa.gov.au',
      'cbos.tas.gov.au',
      'accesscanberra.act.gov.au',
      'consumeraffairs.nt.gov.au',
    ],
    names: [
      'fair trading',
      'office of fair trading',
      'consumer affairs victoria',
      'consumer and business services',
      'consumer protection (?:wa|western australia)',
      'australian competition and consumer commission',
    ],
    acronyms: ['ACCC'],
  },
  {
    kind: 'ombudsman',
    country: 'AU',
    domains: ['afca.org.au', 'tio.com.au', 'ewon.com.au', 'ewov.com.au'],
    names: ['australian financial complaints authority', 'telecommunications industry ombudsman'],
    acronyms: ['AFCA', 'TIO'],
  },
  {
    kind: 'data_protection_authority',
    country: 'AU',
    domains: ['oaic.gov.au', 'privacy.org.nz'],
    names: ['office of the australian information commissioner', 'privacy commissioner'],
    acronyms: ['OAIC'],
  },
  { kind: 'consumer_affairs', country: 'NZ', domains: ['comcom.govt.nz', 'consumerprotection.govt.nz'], names: ['commerce commission'] },
  // Brazil (Reclame AQUI, a public complaints site, is a review platform: see reviews.ts)
  {
    kind: 'consumer_affairs',
    country: 'BR',
    domains: ['consumidor.gov.br', 'procon.sp.gov.br', 'procon.rj.gov.br'],
    names: ['procon', String.raw`secretaria nacional do consumidor`, 'consumidor\\.gov\\.br'],
    acronyms: ['PROCON', 'SENACON'],
  },
  {
    kind: 'data_protection_authority',
    country: 'BR',
    domains: ['anpd.gov.br'],
    names: [String.raw`autoridade nacional de proteção de dados`],
    acronyms: ['ANPD'],
  },
  // Germany, Austria, Switzerland, Liechtenstein
  {
    kind: 'consumer_affairs',
    country: 'DE',
    domains: ['verbraucherzentrale.de', 'vzbv.de', 'evz.de', 'bundesnetzagentur.de'],
    names: ['verbraucherzentrale', String.raw`europäisches verbraucherzentrum`, 'bundesnetzagentur'],
  },
  {
    kind: 'ombudsman',
    country: 'DE',
    domains: [
      'verbraucher-schlichter.de',
      'schlichtungsstelle-energie.de',
      'soep-online.de',
      'online-schlichter.de',
      'versicherungsombudsmann.de',
      'schlichtungsstelle-bgg.de',
    ],
    names: [
      String.raw`(?:universal|verbraucher)?schlichtungsstelle`,
      'schlichtungsantrag',
      String.raw`ombuds(?:mann|frau|stelle)`,
      String.raw`söp`,
    ],
  },
  {
    kind: 'data_protection_authority',
    country: 'DE',
    domains: [
      'bfdi.bund.de',
      'lda.bayern.de',
      'datenschutz.de',
      'ldi.nrw.de',
      'datenschutz-berlin.de',
      'datenschutz.hamburg.de',
      'baden-wuerttemberg.datenschutz.de',
      'lfd.niedersachsen.de',
      'datenschutz.hessen.de',
    ],
    names: [
      String.raw`beauftragte[rn]? für (?:den )?datenschutz(?: und (?:die )?informationsfreiheit)?`,
      'datenschutzaufsicht',
      String.raw`datenschutz(?:aufsichts)?behörde`,
      'landesamt für datenschutzaufsicht',
    ],
    acronyms: ['BfDI', 'BayLDA', 'LfDI', 'LDI'],
  },
  {
    kind: 'consumer_affairs',
    country: 'AT',
    domains: ['vki.at', 'konsument.at', 'europakonsument.at', 'sozialministerium.at'],
    names: ['verein für konsumenteninformation', 'konsumentenschutz', String.raw`europäisches verbraucherzentrum österreich`],
    acronyms: ['VKI'],
  },
  {
    kind: 'ombudsman',
    country: 'AT',
    domains: ['verbraucherschlichtung.at', 'ombudsstelle.at', 'apf.gv.at'],
    names: [String.raw`schlichtung für verbrauchergeschäfte`, 'internet ombudsstelle', 'agentur für passagier- und fahrgastrechte'],
  },
  { kind: 'data_protection_authority', country: 'AT', domains: ['dsb.gv.at'], names: [String.raw`datenschutzbehörde`] },
  {
    kind: 'consumer_affairs',
    country: 'CH',
    domains: ['konsumentenschutz.ch', 'frc.ch', 'acsi.ch', 'seco.admin.ch'],
    names: ['stiftung für konsumentenschutz', String.raw`fédération romande des consommateurs`],
  },
  { kind: 'ombudsman', country: 'CH', domains: ['ombudscom.ch', 'ombudsman-assurance.ch', 'bankingombudsman.ch'], names: ['ombudscom'] },
  {
    kind: 'data_protection_authority',
    country: 'CH',
    domains: ['edoeb.admin.ch', 'datenschutz-liechtenstein.li'],
    names: [
      String.raw`eidgenössische[rn]? datenschutz- und öffentlichkeitsbeauftragte`,
      String.raw`préposé fédéral à la protection des données`,
    ],
    acronyms: ['EDÖB', 'FDPIC', 'PFPDT'],
  },
  // France, Belgium, Luxembourg
  {
    kind: 'consumer_affairs',
    country: 'FR',
    domains: ['dgccrf.finances.gouv.fr', 'economie.gouv.fr', 'signal.conso.gouv.fr', 'quechoisir.org', 'inc-conso.fr'],
    names: ['dgccrf', 'signalconso', String.raw`direction générale de la concurrence`, 'ufc-que choisir'],
    acronyms: ['DGCCRF', 'DDPP', 'DDETSPP'],
  },
  {
    kind: 'ombudsman',
    country: 'FR',
    domains: [
      'mediateurfevad.fr',
      'cm2c.net',
      'medicys.fr',
      'mediation-conso.fr',
      'energie-mediateur.fr',
      'mediateur-tourisme.com',
      'defenseurdesdroits.fr',
      'mtv.travel',
    ],
    names: [
      String.raw`médiat(?:eur|rice|ion) (?:de la consommation|du e-commerce|fevad|national de l'énergie|du tourisme)`,
      String.raw`service de médiation`,
      String.raw`défenseur des droits`,
      String.raw`saisine du médiateur`,
    ],
  },
  {
    kind: 'data_protection_authority',
    country: 'FR',
    domains: ['cnil.fr'],
    names: [String.raw`commission nationale de l'informatique et des libertés`],
    acronyms: ['CNIL'],
  },
  {
    kind: 'consumer_affairs',
    country: 'BE',
    domains: ['economie.fgov.be', 'test-achats.be', 'test-aankoop.be'],
    names: ['spf economie', 'fod economie', String.raw`direction générale de l'inspection économique`, 'economische inspectie'],
  },
  {
    kind: 'ombudsman',
    country: 'BE',
    domains: ['mediationconsommateur.be', 'consumentenombudsdienst.be', 'ombudsfin.be'],
    names: [String.raw`service de médiation pour le consommateur`, 'consumentenombudsdienst', 'ombudsfin'],
  },
  {
    kind: 'data_protection_authority',
    country: 'BE',
    domains: ['autoriteprotectiondonnees.be', 'gegevensbeschermingsautoriteit.be', 'apd-gba.be', 'dataprotectionauthority.be'],
    names: [String.raw`autorité de protection des données`, 'gegevensbeschermingsautoriteit'],
  },
  { kind: 'ombudsman', country: 'LU', domains: ['mediateurconsommation.lu'], names: [String.raw`médiateur de la consommation`] },
  {
    kind: 'data_protection_authority',
    country: 'LU',
    domains: ['cnpd.public.lu'],
    names: ['commission nationale pour la protection des données'],
    acronyms: ['CNPD'],
  },
  // Netherlands
  {
    kind: 'consumer_affairs',
    country: 'NL',
    domains: ['acm.nl', 'consuwijzer.nl', 'consumentenbond.nl', 'eccnederland.nl'],
    names: ['autoriteit consument', 'consuwijzer', 'consumentenbond'],
  },
  {
    kind: 'ombudsman',
    country: 'NL',
    domains: ['degeschillencommissie.nl', 'geschillencommissie.nl', 'kifid.nl'],
    names: ['geschillencommissie', 'klachteninstituut financiële dienstverlening'],
    acronyms: ['Kifid'],
  },
  { kind: 'data_protection_authority', country: 'NL', domains: ['autoriteitpersoonsgegevens.nl'], names: ['autoriteit persoonsgegevens'] },
  // Spain and Portugal
  {
    kind: 'data_protection_authority',
    country: 'ES',
    domains: ['aepd.es', 'apdcat.cat', 'avpd.eus'],
    names: [String.raw`agencia española de protección de datos`, String.raw`autoritat catalana de protecció de dades`],
    acronyms: ['AEPD', 'APDCAT'],
  },
  {
    kind: 'consumer_affairs',
    country: 'ES',
    domains: ['consumo.gob.es', 'consum.cat', 'ocu.org'],
    names: [
      String.raw`oficina (?:municipal )?de (?:información al )?consumidor`,
      String.raw`dirección general de consumo`,
      String.raw`agència catalana del consum`,
    ],
    acronyms: ['OMIC', 'OCU'],
  },
  {
    kind: 'ombudsman',
    country: 'ES',
    domains: ['juntaarbitral.es'],
    names: ['junta arbitral de consumo', 'defensor del cliente', String.raw`sistema arbitral de consumo`],
  },
  {
    kind: 'consumer_affairs',
    country: 'PT',
    domains: ['consumidor.gov.pt', 'livroreclamacoes.pt', 'asae.gov.pt', 'deco.proteste.pt'],
    names: [String.raw`direção-geral do consumidor`, String.raw`livro de reclamações`, 'deco proteste'],
    acronyms: ['ASAE'],
  },
  {
    kind: 'ombudsman',
    country: 'PT',
    domains: ['cniacc.pt', 'ciab.pt', 'centroarbitragemlisboa.pt', 'arbitragemdeconsumo.org', 'cicap.pt'],
    names: [String.raw`centro de arbitragem de conflitos de consumo`, String.raw`centro nacional de informação e arbitragem`],
    acronyms: ['CNIACC', 'CIAB'],
  },
  { kind: 'data_protection_authority', country: 'PT', domains: ['cnpd.pt'], names: [String.raw`comissão nacional de proteção de dados`] },
  // Italy, Malta, Greece, Cyprus
  {
    kind: 'consumer_affairs',
    country: 'IT',
    domains: ['agcm.it', 'mimit.gov.it', 'altroconsumo.it'],
    names: [String.raw`autorità garante della concorrenza e del mercato`, 'altroconsumo'],
    acronyms: ['AGCM'],
  },
  {
    kind: 'ombudsman',
    country: 'IT',
    domains: ['arbitrobancariofinanziario.it', 'acf.consob.it', 'conciliaweb.agcom.it'],
    names: ['arbitro (?:bancario|per le controversie)', 'conciliaweb', 'corecom'],
    acronyms: ['CORECOM'],
  },
  {
    kind: 'data_protection_authority',
    country: 'IT',
    domains: ['garanteprivacy.it', 'gpdp.it'],
    names: ['garante per la protezione dei dati personali'],
  },
  {
    kind: 'consumer_affairs',
    country: 'MT',
    domains: ['mccaa.org.mt'],
    names: ['malta competition and consumer affairs authority'],
    acronyms: ['MCCAA'],
  },
  {
    kind: 'data_protection_authority',
    country: 'MT',
    domains: ['idpc.org.mt'],
    names: ['information and data protection commissioner'],
    acronyms: ['IDPC'],
  },
  {
    kind: 'ombudsman',
    country: 'GR',
    domains: ['synigoroskatanaloti.gr'],
    names: [String.raw`συνήγορος του καταναλωτή`, "consumer'?s ombudsman"],
  },
  {
    kind: 'data_protection_authority',
    country: 'GR',
    domains: ['dpa.gr', 'dataprotection.gov.cy'],
    names: [String.raw`αρχή προστασίας δεδομένων`],
  },
  // The Nordics
  {
    kind: 'ombudsman',
    country: 'SE',
    domains: ['arn.se'],
    names: [String.raw`allmänna reklamationsnämnden`, String.raw`reklamationsnämnden`],
    acronyms: ['ARN'],
  },
  {
    kind: 'consumer_affairs',
    country: 'SE',
    domains: ['konsumentverket.se', 'hallakonsument.se'],
    names: ['konsumentverket', String.raw`hallå konsument`, 'konsumentombudsmannen'],
  },
  { kind: 'data_protection_authority', country: 'SE', domains: ['imy.se'], names: ['integritetsskyddsmyndigheten'], acronyms: ['IMY'] },
  {
    kind: 'ombudsman',
    country: 'DK',
    domains: ['naevneneshus.dk', 'forbrugerklagenaevnet.dk'],
    names: [String.raw`nævnenes hus`, String.raw`forbrugerklagenævnet`, String.raw`ankenævn`],
  },
  {
    kind: 'consumer_affairs',
    country: 'DK',
    domains: ['kfst.dk', 'forbrugerombudsmanden.dk', 'taenk.dk', 'forbrug.dk'],
    names: [String.raw`konkurrence- og forbrugerstyrelsen`, 'forbrugerombudsmanden', String.raw`forbrugerrådet tænk`],
  },
  { kind: 'data_protection_authority', country: 'DK/NO', domains: ['datatilsynet.dk', 'datatilsynet.no'], names: ['datatilsynet'] },
  {
    kind: 'consumer_affairs',
    country: 'NO',
    domains: ['forbrukerradet.no', 'forbrukertilsynet.no'],
    names: [String.raw`forbrukerrådet`, 'forbrukertilsynet'],
  },
  {
    kind: 'ombudsman',
    country: 'NO',
    domains: ['forbrukerklageutvalget.no', 'finkn.no', 'transportklagenemnda.no'],
    names: ['forbrukerklageutvalget', 'finansklagenemnda', 'transportklagenemnda'],
  },
  { kind: 'ombudsman', country: 'FI', domains: ['kuluttajariita.fi', 'kril.fi'], names: ['kuluttajariitalautakunta'], acronyms: ['KRIL'] },
  {
    kind: 'consumer_affairs',
    country: 'FI',
    domains: ['kkv.fi', 'kuluttajaneuvonta.fi'],
    names: ['kilpailu- ja kuluttajavirasto', 'kuluttajaneuvonta', 'kuluttaja-asiamies'],
    acronyms: ['KKV'],
  },
  {
    kind: 'data_protection_authority',
    country: 'FI',
    domains: ['tietosuoja.fi'],
    names: ['tietosuojavaltuutetun toimisto', 'tietosuojavaltuutettu'],
  },
  { kind: 'consumer_affairs', country: 'IS', domains: ['neytendastofa.is'], names: ['neytendastofa'] },
  { kind: 'data_protection_authority', country: 'IS', domains: ['personuvernd.is'], names: [String.raw`persónuvernd`] },
  // Central and Eastern Europe, the Baltics
  {
    kind: 'consumer_affairs',
    country: 'PL',
    domains: ['uokik.gov.pl', 'prawakonsumenta.uokik.gov.pl', 'federacja-konsumentow.org.pl'],
    names: [
      String.raw`urząd ochrony konkurencji i konsumentów`,
      String.raw`(?:miejski|powiatowy) rzecznik konsumentów`,
      String.raw`rzecznik konsumentów`,
      'inspekcja handlowa',
      String.raw`federacja konsumentów`,
    ],
    acronyms: ['UOKiK', 'WIIH'],
  },
  { kind: 'ombudsman', country: 'PL', domains: ['rf.gov.pl'], names: ['rzecznik finansowy', String.raw`stały polubowny sąd konsumencki`] },
  {
    kind: 'data_protection_authority',
    country: 'PL',
    domains: ['uodo.gov.pl'],
    names: [String.raw`urząd ochrony danych osobowych`, String.raw`prezes urzędu ochrony danych osobowych`],
    acronyms: ['UODO'],
  },
  // ČOI runs both inspections and the ADR service: its ADR wording makes a notice an ADR one (notices.ts).
  {
    kind: 'consumer_affairs',
    country: 'CZ',
    domains: ['coi.cz', 'coi.gov.cz', 'dtest.cz'],
    names: [String.raw`česká obchodní inspekce`],
    acronyms: ['ČOI'],
    runsAdr: true,
  },
  { kind: 'ombudsman', country: 'CZ', domains: ['finarbitr.cz', 'adr.coi.cz'], names: [String.raw`finanční arbitr`] },
  {
    kind: 'data_protection_authority',
    country: 'CZ',
    domains: ['uoou.cz', 'uoou.gov.cz'],
    names: [String.raw`úřad pro ochranu osobních údajů`],
    acronyms: ['ÚOOÚ'],
  },
  { kind: 'consumer_affairs', country: 'SK', domains: ['soi.sk'], names: [String.raw`slovenská obchodná inšpekcia`] },
  {
    kind: 'data_protection_authority',
    country: 'SK',
    domains: ['dataprotection.gov.sk'],
    names: [String.raw`úrad na ochranu osobných údajov`],
  },
  {
    kind: 'consumer_affairs',
    country: 'HU',
    domains: ['fogyasztovedelem.kormany.hu', 'gvh.hu'],
    names: [String.raw`fogyasztóvédelmi (?:hatóság|főosztály)`, String.raw`gazdasági versenyhivatal`],
    acronyms: ['GVH'],
  },
  { kind: 'ombudsman', country: 'HU', domains: ['bekeltetes.hu', 'bekeltetes.eu', 'bkik.hu'], names: [String.raw`békéltető testület`] },
  {
    kind: 'data_protection_authority',
    country: 'HU',
    domains: ['naih.hu'],
    names: [String.raw`nemzeti adatvédelmi és információszabadság hatóság`],
    acronyms: ['NAIH'],
  },
  {
    kind: 'consumer_affairs',
    country: 'RO',
    domains: ['anpc.ro', 'anpc.gov.ro'],
    names: [String.raw`autoritatea națională pentru protecția consumatorilor`],
    acronyms: ['ANPC'],
  },
  {
    kind: 'data_protection_authority',
    country: 'RO',
    domains: ['dataprotection.ro'],
    names: [String.raw`autoritatea națională de supraveghere a prelucrării datelor cu caracter personal`],
    acronyms: ['ANSPDCP'],
  },
  {
    kind: 'consumer_affairs',
    country: 'BG',
    domains: ['kzp.bg'],
    names: [String.raw`комисия за защита на потребителите`],
    acronyms: ['КЗП'],
  },
  {
    kind: 'data_protection_authority',
    country: 'BG',
    domains: ['cpdp.bg'],
    names: [String.raw`комисия за защита на личните данни`],
    acronyms: ['КЗЛД'],
  },
  {
    kind: 'data_protection_authority',
    country: 'HR/SI',
    domains: ['azop.hr', 'ip-rs.si'],
    names: [String.raw`agencija za zaštitu osobnih podataka`, String.raw`informacijski pooblaščenec`],
    acronyms: ['AZOP'],
  },
  {
    kind: 'consumer_affairs',
    country: 'HR/SI',
    domains: ['dirh.gov.hr', 'tirs.gov.si', 'zps.si'],
    names: [String.raw`državni inspektorat`, String.raw`tržni inšpektorat`, String.raw`zveza potrošnikov slovenije`],
  },
  {
    kind: 'consumer_affairs',
    country: 'EE/LV/LT',
    domains: ['ttja.ee', 'ptac.gov.lv', 'vvtat.lt'],
    names: [
      'tarbijakaitse ja tehnilise järelevalve amet',
      String.raw`patērētāju tiesību aizsardzības centrs`,
      'valstybinė vartotojų teisių apsaugos tarnyba',
    ],
    acronyms: ['TTJA', 'PTAC', 'VVTAT'],
  },
  { kind: 'ombudsman', country: 'EE', domains: [], names: ['tarbijavaidluste komisjon'] },
  {
    kind: 'data_protection_authority',
    country: 'EE/LV/LT',
    domains: ['aki.ee', 'dvi.gov.lv', 'vdai.lrv.lt'],
    names: [String.raw`andmekaitse inspektsioon`, 'datu valsts inspekcija', 'valstybinė duomenų apsaugos inspekcija'],
    acronyms: ['VDAI'],
  },
  // The EU itself: the European Consumer Centres and the data-protection board.
  {
    kind: 'consumer_affairs',
    country: 'EU',
    domains: ['eccnet.eu', 'cec-zev.eu'],
    names: ['european consumer centre', 'centre européen des consommateurs', String.raw`europäisches verbraucherzentrum`],
    acronyms: ['ECC-Net'],
  },
  {
    kind: 'data_protection_authority',
    country: 'EU',
    domains: ['edpb.europa.eu', 'edps.europa.eu'],
    names: ['european data protection (?:board|supervisor)'],
    acronyms: ['EDPB', 'EDPS'],
  },
]

// Government domains of every country: the US, UK, Australia, Canada, Brazil…, and the EU's and
// member states' own conventions (gouv.fr, gob.es, gv.at, bund.de, admin.ch, overheid.nl, public.lu,
// kormany.hu, lrv.lt, govt.nz).
export const GOVERNMENT_DOMAIN =
  /(?:^|\.)(?:gov|mil|gov\.[a-z]{2}|gob\.[a-z]{2}|gouv\.[a-z]{2}|govt\.[a-z]{2}|gv\.at|gc\.ca|gouv\.qc\.ca|[a-z]{2}\.gov\.[a-z]{2}|state\.[a-z]{2}\.us|europa\.eu|bund\.de|bayern\.de|nrw\.de|berlin\.de|hamburg\.de|hessen\.de|niedersachsen\.de|sachsen\.de|admin\.ch|overheid\.nl|rijksoverheid\.nl|public\.lu|fgov\.be|belgium\.be|kormany\.hu|lrv\.lt|gov\.pl|gouv\.fr|regione\.[a-z-]+\.it|comune\.[a-z-]+\.it|ontario\.ca|alberta\.ca|gov\.bc\.ca)$/i

export function domainMatches(domain: string, listed: string): boolean {
  return domain === listed || domain.endsWith(`.${listed}`)
}

const byDomain = (domain: string) => (domain ? (BODIES.find((b) => b.domains.some((d) => domainMatches(domain, d))) ?? null) : null)

/** The body whose own domain an address is on, the most specific listing first (adr.coi.cz before coi.cz). */
export function bodyOfDomain(domain: string): Body | null {
  if (!domain) return null
  let best: { body: Body; length: number } | null = null
  for (const body of BODIES) {
    for (const d of body.domains) if (domainMatches(domain, d) && (!best || d.length > best.length)) best = { body, length: d.length }
  }
  return best?.body ?? byDomain(domain)
}

const NAME_PATTERNS = BODIES.map((body) => ({
  body,
  names: body.names.length ? anyWord(body.names) : null,
  // Acronyms are letters and at most a hyphen; escaped for the u flag, which refuses needless escapes.
  acronyms: body.acronyms?.length
    ? anyWord(
        body.acronyms.map((a) => a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
        'u',
      )
    : null,
}))

/** The body a short line (a letterhead, a sender's name, a signature) names, if any. */
export function bodyNamedIn(line: string): { body: Body; match: string } | null {
  if (line.length > 160) return null
  for (const { body, names, acronyms } of NAME_PATTERNS) {
    const m = names?.exec(line) ?? acronyms?.exec(line)
    if (m) return { body, match: m[0] }
  }
  return null
}

export const isGovernmentDomain = (domain: string) => GOVERNMENT_DOMAIN.test(domain)
