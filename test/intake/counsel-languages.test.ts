import { describe, expect, it } from 'vitest'
import { letter, read, withPdf } from './read-mail.ts'

// Counsel's letters in the languages of the EU/EEA and beyond, each as a firm there writes one:
// the profession's title, "on behalf of our client", the firm's own file reference beside the
// recipient's and the court's. Invented for these tests (synthetic).

describe("counsel's letters in more languages", () => {
  it.each([
    [
      'Portuguese',
      'Rita Almeida <r.almeida@almeida-advogados.example>',
      'Notificação extrajudicial - N/Ref.: 2026/0457-RA',
      'ALMEIDA & ASSOCIADOS - Sociedade de Advogados\nN/Ref.: 2026/0457-RA\nV/Ref.: 88123\n\nExmos. Senhores,\nNa qualidade de mandatários da nossa cliente, Sra. D. Joana Ferreira Martins, vimos pela presente notificar V. Exas. para procederem ao reembolso de 349,00 € no prazo de 8 dias.\n\nCom os melhores cumprimentos,\nRita Almeida\nAdvogada',
      'Joana Ferreira Martins',
      '2026/0457-RA',
    ],
    [
      'Brazilian Portuguese',
      'Dr. Carlos Mendes <carlos@mendesadvocacia.example>',
      'Notificação - Nossa ref. CM-2026-311',
      'MENDES ADVOCACIA\nNossa ref.: CM-2026-311\n\nPrezados Senhores,\nEm nome de nosso cliente, Sr. Rafael Oliveira Costa, vimos notificá-los extrajudicialmente para que, no prazo de 10 dias, restituam o valor pago.\n\nAtenciosamente,\nCarlos Mendes\nAdvogado - OAB/SP 123.456',
      'Rafael Oliveira Costa',
      'CM-2026-311',
    ],
    [
      'Polish',
      'Kancelaria Adwokacka Tomasz Zieliński <kancelaria@zielinski-adwokat.example>',
      'Przedsądowe wezwanie do zapłaty - nasz znak: TZ/112/2026',
      'Kancelaria Adwokacka adw. Tomasz Zieliński\nNasz znak: TZ/112/2026\nWasz znak: ZW-4471\n\nSzanowni Państwo,\ndziałając w imieniu i na rzecz mojej Klientki, Pani Magdaleny Nowak (pełnomocnictwo w załączeniu), wzywam do zapłaty kwoty 1 249,00 zł w terminie 7 dni od dnia otrzymania niniejszego pisma.\n\nZ poważaniem\nadw. Tomasz Zieliński',
      'Magdalena Nowak',
      'TZ/112/2026',
    ],
    [
      'Polish, a legal adviser',
      'Anna Wrona <a.wrona@wrona-radcy.example>',
      'Wezwanie do zapłaty',
      'Kancelaria Radcy Prawnego Anna Wrona\nNasz znak: AW/0931/26\n\nSzanowni Państwo,\njako pełnomocnik Pana Krzysztofa Lewandowskiego wzywam Państwa do zwrotu ceny zakupu.\n\nradca prawny Anna Wrona',
      'Krzysztof Lewandowski',
      'AW/0931/26',
    ],
    [
      'Swedish',
      'Advokatfirman Berg & Lind <info@berglind.example>',
      'Krav - vår referens 2026-118',
      'Advokatfirman Berg & Lind AB\nVår referens: 2026-118\nEr referens: 4471\n\nUndertecknad företräder Karin Ekström i rubricerad fråga. Min klient kräver återbetalning av köpeskillingen inom 14 dagar.\n\nMed vänliga hälsningar\nJohan Berg\nAdvokat',
      'Karin Ekström',
      '2026-118',
    ],
    [
      'Danish',
      'Advokatfirmaet Holm <mail@holm-advokat.example>',
      'Påkrav - vores ref. 26-0412',
      'Advokatfirmaet Holm\nVores ref.: 26-0412\nJeres ref.: 9931\n\nUndertegnede er advokat for Søren Kjær, og jeg skal på vegne af min klient kræve købesummen tilbagebetalt inden 8 dage.\n\nMed venlig hilsen\nLars Holm\nAdvokat',
      'Søren Kjær',
      '26-0412',
    ],
    [
      'Norwegian',
      'Advokatfirmaet Lie <post@lie-advokat.example>',
      'Krav om heving - vår ref. 2611/26',
      'Advokatfirmaet Lie AS\nVår ref.: 2611/26\n\nJeg representerer Astrid Moen i anledning hennes kjøp av et telt. På vegne av min klient krever jeg heving av kjøpet.\n\nMed vennlig hilsen\nEirik Lie\nadvokat',
      'Astrid Moen',
      '2611/26',
    ],
    [
      'Czech',
      'Mgr. Pavel Horák <horak@ak-horak.example>',
      'Předžalobní výzva - naše zn. 118/2026',
      'Advokátní kancelář Mgr. Pavel Horák\nNaše zn.: 118/2026\n\nVážení,\nv zastoupení mého klienta, pana Jana Kučery, Vás tímto vyzývám k vrácení kupní ceny do 10 dnů.\n\nS pozdravem\nMgr. Pavel Horák\nadvokát',
      'Jan Kučera',
      '118/2026',
    ],
    [
      'Finnish',
      'Asianajotoimisto Laine <toimisto@laine-law.example>',
      'Vaatimus - viitteemme 26/771',
      'Asianajotoimisto Laine Oy\nViitteemme: 26/771\n\nEdustamme tässä asiassa päämiestämme. Päämiehemme Mikko Järvinen vaatii kauppahinnan palauttamista 14 päivän kuluessa.\n\nYstävällisin terveisin\nSanna Laine\nasianajaja',
      'Mikko Järvinen',
      '26/771',
    ],
    [
      'Hungarian',
      'Dr. Kovács Ügyvédi Iroda <iroda@kovacs-ugyved.example>',
      'Fizetési felszólítás - ügyszámunk: K-2026/118',
      'Dr. Kovács Ügyvédi Iroda\nÜgyszámunk: K-2026/118\n\nTisztelt Címzett!\nÜgyfelünk, Nagy Eszter megbízásából felszólítjuk Önöket a vételár visszafizetésére 8 napon belül.\n\nTisztelettel:\ndr. Kovács Péter\nügyvéd',
      'Nagy Eszter',
      'K-2026/118',
    ],
  ])('%s: the client is the customer, counsel the channel', async (_language, from, subject, body, client, ref) => {
    const r = await read(letter({ from, subject, body }))
    expect(r).toMatchObject({
      source: 'lawyer',
      channel: { kind: 'counsel' },
      customer: { name: client, email: null },
      externalRef: ref,
      severity: 'SEV-2',
    })
  })

  it('the firm’s own file reference wins over the court’s case number', async () => {
    const r = await read(
      letter({
        from: 'Harlow Pike LLP <litigation@harlowpike.example>',
        subject: 'Brennan v. Fjellstad Gear - Case No. 2:26-cv-04471',
        body: 'HARLOW PIKE LLP\nCase No. 2:26-cv-04471 (W.D. Wash.)\nOur Ref: HP/MB/0092\n\nWe represent Michael Brennan in the above matter. Please direct all communication to the undersigned.\n\nDaniel Harlow\nAttorney at Law',
      }),
    )
    expect(r).toMatchObject({ source: 'lawyer', externalRef: 'HP/MB/0092', customer: { name: 'Michael Brennan' } })
  })

  it('in Polish too: "nasz znak" wins over "sygn. akt"', async () => {
    const r = await read(
      letter({
        from: 'Kancelaria Prawna Nowicki <biuro@nowicki-kancelaria.example>',
        subject: 'Sygn. akt I C 441/26',
        body: 'Kancelaria Prawna Nowicki\nSygn. akt: I C 441/26\nNasz znak: KPN/77/2026\n\nDziałając jako pełnomocnik Pani Ewy Mazur, informuję, że pozew został złożony w Sądzie Rejonowym.\n\nradca prawny Piotr Nowicki',
      }),
    )
    expect(r).toMatchObject({ source: 'lawyer', externalRef: 'KPN/77/2026', customer: { name: 'Ewa Mazur' } })
  })

  it('the client’s full name is kept when the caption gives only the surname', async () => {
    const r = await read(
      withPdf({
        from: 'Dra. Beatriz Lopes <b.lopes@lopes-advogados.example>',
        subject: 'Cardoso c/ Fjellstad Gear - N/Ref. BL-2026-077',
        pdfName: 'Notificacao_BL-2026-077.pdf',
        body: 'Exmos. Senhores,\nEm representação da nossa cliente, Sra. Teresa Cardoso Nunes, junto enviamos notificação extrajudicial.\n\nBeatriz Lopes\nAdvogada',
      }),
    )
    expect(r).toMatchObject({ source: 'lawyer', customer: { name: 'Teresa Cardoso Nunes' }, externalRef: 'BL-2026-077' })
  })
})
