import { describe, expect, it } from 'vitest'
import { rateSeverity, type SeverityFacts } from '../../src/intake/severity.ts'
import { letter, read } from './read-mail.ts'

// The SEV-1 facts in the languages of the EU/EEA, written the way a frightened or furious customer
// writes them; and the line between a real complaint (SEV-3) and a minor matter (SEV-4).
// Invented for these tests (synthetic).

const rate = (text: string, facts: Partial<SeverityFacts> = {}) =>
  rateSeverity({
    text,
    lawyerLetter: false,
    lawsuitServed: false,
    bodyNotice: null,
    bodyComplaint: null,
    publicExposure: null,
    executive: null,
    ...facts,
  })

describe('SEV-1 in many languages', () => {
  it.each([
    // another customer's data
    ['es', 'Al entrar en mi cuenta veo los pedidos y la dirección de otro cliente, con su nombre completo.'],
    ['pt', 'Quando abro o aplicativo aparecem os pedidos e o endereço de outro cliente.'],
    ['sv', 'När jag loggar in ser jag en annan kunds beställningar och adress.'],
    ['da', 'Når jeg logger ind, kan jeg se en anden kundes ordrer og adresse.'],
    ['no', 'I appen ser jeg bestillingene og adressen til en annen kunde.'],
    ['fi', 'Näen sovelluksessa toisen asiakkaan tilaukset ja osoitteen.'],
    ['pl', 'Po zalogowaniu widzę zamówienia i adres innego klienta.'],
    ['cs', 'Po přihlášení vidím objednávky a adresu jiného zákazníka.'],
    ['de', 'In meinem Kundenkonto sehe ich die Bestellungen eines anderen Kunden mit seiner Adresse.'],
    ['fr', 'Dans mon espace client, je vois les commandes d’un autre client avec son adresse.'],
    ['it', 'Nel mio account vedo gli ordini di un altro cliente con il suo indirizzo.'],
    ['nl', 'In mijn account zie ik de bestellingen van een andere klant met zijn adres.'],
    // account takeover
    ['sv', 'Någon har loggat in på mitt konto och beställt två jackor med mitt kort.'],
    ['pl', 'Ktoś włamał się na moje konto i zmienił adres dostawy.'],
    ['pt', 'Minha conta foi invadida e fizeram duas compras com meu cartão.'],
    ['cs', 'Někdo se mi naboural do účtu a objednal zboží na moji kartu.'],
    ['da', 'Min konto er blevet hacket, og der er bestilt varer, jeg ikke kender.'],
    ['fi', 'Tilini on kaapattu ja joku on tilannut tuotteita korttini avulla.'],
    // injury, allergic reaction, burns, fire
    ['sv', 'Min dotter fick en allergisk reaktion av handskarna och vi fick åka till akuten.'],
    ['no', 'Sønnen min fikk en kraftig allergisk reaksjon, og vi måtte på legevakten.'],
    ['da', 'Min søn fik en allergisk reaktion og måtte på skadestuen.'],
    ['pl', 'Córka dostała reakcji alergicznej i trafiła do szpitala.'],
    ['cs', 'Syn měl alergickou reakci a museli jsme jet do nemocnice.'],
    ['pt', 'Meu filho teve uma reação alérgica e fomos ao pronto-socorro.'],
    ['fi', 'Lapsemme sai allergisen reaktion ja jouduimme päivystykseen.'],
    ['hu', 'A lányom allergiás reakciót kapott, kórházba kellett vinni.'],
    ['ro', 'Copilul a făcut o reacție alergică și am ajuns la spital.'],
    ['sv', 'Kaminen började brinna i tältet och min man fick brännskador på handen.'],
    ['no', 'Brenneren tok fyr og jeg brant meg på armen.'],
    ['da', 'Lygten gik i brand i teltet.'],
    ['pl', 'Latarka zapaliła się w plecaku, syn ma oparzenia dłoni.'],
    ['cs', 'Vařič začal hořet a manžel se popálil.'],
    ['pt', 'O fogareiro pegou fogo e queimou a mão do meu marido.'],
    ['fi', 'Retkikeitin syttyi palamaan ja sain palovamman.'],
    ['el', 'Η μπαταρία πήρε φωτιά μέσα στη σκηνή.'],
    // a business customer's operation down
    ['no', 'B2B-portalen har vært nede siden i morges, og butikkene våre kan ikke legge inn bestillinger.'],
    ['sv', 'Återförsäljarportalen ligger nere sedan klockan sju och våra butiker kan inte beställa.'],
    ['da', 'Forhandlerportalen har været nede siden i morges, og vores butikker kan ikke bestille.'],
    ['pl', 'Portal B2B nie działa od rana, nasze sklepy nie mogą składać zamówień.'],
    ['cs', 'B2B portál od rána nefunguje a naše prodejny nemohou objednávat.'],
    ['pt', 'O portal de revendedores está fora do ar desde ontem e as nossas lojas não conseguem fazer encomendas.'],
    ['fi', 'Jälleenmyyjäportaali on ollut alhaalla aamusta asti, eivätkä myymälämme voi tilata.'],
    // a lawsuit
    ['sv', 'Jag har lämnat in en stämningsansökan till tingsrätten.'],
    ['pl', 'Złożyłem pozew do sądu rejonowego.'],
    ['pt', 'Já entrei com uma ação no Juizado Especial Cível.'],
    ['cs', 'Podal jsem na vás žalobu k okresnímu soudu.'],
  ])('%s: %s', (_language, text) => {
    const r = rate(text)
    expect(r.severity).toBe('SEV-1')
  })
})

describe('SEV-3: a real complaint with impact, in any language', () => {
  it.each([
    ['money lost', 'en', 'You charged my card twice for the same order and nobody has refunded the second payment.'],
    ['order missing', 'fr', 'Ma commande n’est jamais arrivée et j’ai été débitée de 189 €.'],
    ['order missing', 'pt', 'A encomenda nunca chegou e o valor já foi cobrado no cartão.'],
    ['order missing', 'pl', 'Zamówienie nie dotarło, a pieniądze zostały pobrane z konta.'],
    ['refund never came', 'de', 'Ich warte seit sechs Wochen auf die Erstattung von 249 Euro.'],
    ['refund never came', 'sv', 'Jag har väntat på min återbetalning i över en månad.'],
    ['product broken', 'es', 'La mochila se rompió en la primera salida, la costura del tirante se abrió por completo.'],
    ['product broken', 'cs', 'Stan se při prvním použití roztrhl a prší do něj.'],
    ['repeated failure', 'it', 'È la terza volta che vi scrivo e nessuno mi ha mai risposto.'],
    ['repeated failure', 'da', 'Det er anden gang, jeg skriver, og jeg har stadig ikke fået svar.'],
    ['repeated failure', 'nl', 'Dit is al de derde keer dat ik mail en ik heb nog steeds niets gehoord.'],
    ['a business customer affected', 'en', 'Their order of 40 jackets is two weeks late and their shop opens on Saturday without stock.'],
  ])('%s (%s)', (_kind, _language, text) => {
    const r = rate(text)
    expect(r.severity).toBe('SEV-3')
    expect(r.reasons.join(' ')).toMatch(/impact/)
  })

  it('a colleague’s note of an angry call about a late business order is SEV-3', async () => {
    const r = await read(
      letter({
        from: 'Kari Moe <kari@fjellstad.example>',
        subject: 'Call from Cumbre Aventura',
        body: 'Hi desk,\n\nMarta Ruiz from Cumbre Aventura (our reseller in Bilbao) just called me, very upset: their order of 60 rain jackets is three weeks late and they had to turn customers away this weekend.\n\nCan someone own this?\nKari',
      }),
    )
    expect(r).toMatchObject({ source: 'direct', severity: 'SEV-3', customer: { name: 'Marta Ruiz' } })
  })
})

describe('SEV-4: minor, low-impact matters stay SEV-4', () => {
  it.each([
    ['en', 'Hi, could I swap the green daypack for the blue one? Thanks!'],
    ['de', 'Der Gutscheincode WINTER10 wird im Warenkorb nicht angenommen. Können Sie helfen?'],
    ['fr', 'Bonjour, il y a une faute dans mon nom sur la facture, pourriez-vous la corriger ?'],
    ['es', 'Hola, pedí la talla M y me gustaría cambiarla por una L.'],
    ['sv', 'Hej! Kan ni skicka kvittot igen? Jag hittar det inte.'],
    ['pl', 'Dzień dobry, czy mogę zmienić kolor zamówionej kurtki?'],
  ])('%s: %s', (_language, text) => {
    expect(rate(text).severity).toBe('SEV-4')
  })
})

describe('the rubric in Greek, Turkish, the Baltic and South Slavic languages, and Bulgarian (accents as written, or not)', () => {
  it.each([
    ['el', 'SEV-1', 'Όταν μπαίνω στην εφαρμογή βλέπω τις παραγγελίες άλλου πελάτη με τη διεύθυνσή του.'],
    ['tr', 'SEV-1', 'Uygulamada başka birinin siparişlerini görüyorum: adı, adresi ve telefonu görünüyor.'],
    ['tr', 'SEV-1', 'Hesabım ele geçirildi, şifrem değiştirildi ve iki sipariş verildi.'],
    ['lt', 'SEV-1', 'Kažkas užvaldė mano paskyrą ir pakeitė slaptažodį.'],
    ['el', 'SEV-2', 'Θα απευθυνθώ στον δικηγόρο μου και στον Τύπο αν δεν λάβω απάντηση μέσα σε 7 ημέρες.'],
    ['el', 'SEV-2', 'ΘΑ ΑΠΕΥΘΥΝΘΩ ΣΤΟΝ ΔΙΚΗΓΟΡΟ ΜΟΥ.'],
    ['tr', 'SEV-2', 'Avukatıma gideceğim ve dava açacağım.'],
    ['tr', 'SEV-2', 'Cevap vermezseniz basına ve sosyal medyaya gideceğim.'],
    ['hr', 'SEV-2', 'Obratit ću se svom odvjetniku i podnijeti tužbu.'],
    ['bg', 'SEV-2', 'Ще се обърна към медиите, ако не получа отговор.'],
  ])('%s: %s', (_language, severity, text) => {
    expect(rate(text).severity).toBe(severity)
  })
})
