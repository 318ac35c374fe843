import { describe, expect, it } from 'vitest'
import { isNoReplyAddress } from '../../src/intake/org-context.ts'
import { letter, read } from './read-mail.ts'

// Machines in every language: no-reply addresses nobody reads, and out-of-office replies written
// by people's mail clients without any RFC 3834 header. Invented for these tests (synthetic).

describe('no-reply addresses in every language', () => {
  it.each([
    'no-reply@shop.example',
    'noreply@shop.example',
    'do-not-reply@shop.example',
    'donotreply@shop.example',
    'no_reply@shop.example',
    'nao-responda@loja.example',
    'naoresponda@loja.example',
    'nao-responder@loja.example',
    'nao.responda@loja.example',
    'nãoresponda@loja.example',
    'ne-pas-repondre@boutique.example',
    'nepasrepondre@boutique.example',
    'ne_pas_repondre@boutique.example',
    'nicht-antworten@shop.example',
    'keine-antwort@shop.example',
    'bitte-nicht-antworten@shop.example',
    'no-responder@tienda.example',
    'noresponder@tienda.example',
    'no-contestar@tienda.example',
    'non-rispondere@negozio.example',
    'nonrispondere@negozio.example',
    'niet-antwoorden@winkel.example',
    'geen-antwoord@winkel.example',
    'nie-odpowiadaj@sklep.example',
    'nieodpowiadaj@sklep.example',
    'svara-inte@butik.example',
    'svarainte@butik.example',
    'ikke-svar@butikk.example',
    'ikkesvar@butikk.example',
    'svar-ikke@butik.example',
    'neodpovidejte@obchod.example',
    'neodpovidat@obchod.example',
    'ala-vastaa@kauppa.example',
    'eivastausta@kauppa.example',
    'ne-valaszoljon@bolt.example',
    'nu-raspunde@magazin.example',
    'noreply-orders@shop.example',
    'orders-noreply@shop.example',
  ])('%s is nobody’s address', (address) => {
    expect(isNoReplyAddress(address)).toBe(true)
  })

  it.each([
    'nora@shop.example',
    'noreen.walsh@shop.example',
    'nao.tanaka@shop.example',
    'ikke@shop.example',
    'svara@shop.example',
    'replies@shop.example',
  ])('%s is a person’s address', (address) => expect(isNoReplyAddress(address)).toBe(false))

  it('a shop’s do-not-reply sender is never the customer: the person in its form is', async () => {
    const r = await read(
      letter({
        from: 'Formulário do site <nao-responda@fjellstad.example>',
        headers: ['Reply-To: Bruno Teixeira <bruno.teixeira@sapo.example>'],
        subject: 'Contacto: encomenda em falta',
        body: 'Nome: Bruno Teixeira\nE-mail: bruno.teixeira@sapo.example\nMensagem: A minha encomenda nunca chegou.',
      }),
    )
    expect(r.customer).toEqual({ name: 'Bruno Teixeira', email: 'bruno.teixeira@sapo.example' })
  })
})

describe('out-of-office replies without headers, in more languages', () => {
  it.each([
    [
      'Czech',
      'Automatická odpověď: Re: Vaše reklamace',
      'Dobrý den, do 20. 11. jsem mimo kancelář s omezeným přístupem k e-mailu. V naléhavých případech volejte kolegyni.',
    ],
    [
      'Czech, with a reply subject',
      'Re: Vaše reklamace',
      'Dobrý den,\njsem na dovolené do 23. listopadu a e-maily nečtu. Děkuji za pochopení.\nJana Malá',
    ],
    [
      'Polish',
      'Odpowiedź automatyczna: Re: zamówienie',
      'Dzień dobry, jestem na urlopie do 18 listopada. W pilnych sprawach proszę o kontakt z biurem.',
    ],
    ['Portuguese', 'Resposta automática: Re: encomenda', 'Olá, estou de férias até dia 20 e responderei quando regressar.'],
    ['Swedish', 'Re: Din beställning', 'Hej! Jag är på semester till och med 22 november och läser inte min e-post.'],
    ['Danish', 'Automatisk svar: Re: Ordre 4471', 'Tak for din mail. Jeg er på ferie og er tilbage mandag den 23. november.'],
    ['Norwegian', 'Automatisk svar: Re: Ordre 4471', 'Takk for e-posten. Jeg er på ferie og er tilbake 23. november.'],
    ['Finnish', 'Automaattinen vastaus: Re: tilaus', 'Olen lomalla 20.11. asti enkä lue sähköpostia.'],
    ['Hungarian', 'Automatikus válasz: Re: rendelés', 'Szabadságon vagyok november 20-ig, utána válaszolok.'],
    ['Romanian', 'Răspuns automat: Re: comanda', 'Sunt în concediu până pe 20 noiembrie.'],
    ['Slovak', 'Automatická odpoveď: Re: objednávka', 'Dobrý deň, som mimo kancelárie do 20. 11.'],
  ])('%s', async (_language, subject, body) => {
    const r = await read(
      letter({ from: 'Jana Malá <jana.mala@firma.example>', subject, body, headers: ['In-Reply-To: <reply-7@fjellstad.example>'] }),
    )
    expect(r.isEscalation).toBe(false)
    expect(r.classification.noise?.kind).toBe('auto_reply')
  })

  it('a customer who mentions a holiday in a real complaint is still a complaint', async () => {
    const r = await read(
      letter({
        from: 'Petra Svoboda <petra.svoboda@seznam.example>',
        subject: 'Reklamace stanu',
        body: 'Dobrý den,\nbyla jsem na dovolené a stan se hned první noc roztrhl. Žádám o vrácení peněz.\nPetra Svobodová',
      }),
    )
    expect(r.isEscalation).toBe(true)
  })
})
