package generator

import (
	"strconv"
	"strings"

	"github.com/orderhooks/orderhooks/generator/decimal"
)

// country is what makes an address, phone number, currency and tax agree.
type country struct {
	code     string // ISO 3166-1 alpha-2
	currency string // ISO 4217
	calling  string // international calling code, without +
	tld      string // for e-mail domains
	// tax is the standard VAT/GST rate in hundredths of a percent;
	// taxShipping whether it applies to shipping. Cities override both
	// for US sales tax.
	tax         decimal.Decimal
	taxShipping bool
	// reduced is the reduced VAT rate (books) for HappyColis lines.
	reduced decimal.Rate
	// numberFirst: "12 rue X" rather than "X 12".
	numberFirst bool
	streets     []string
	units       []string // street2 templates
	local       string   // landline subscriber template after the area code
	mobile      string   // mobile template after the calling code
	cities      []city
	// carriers ship business parcels to this country (Phasio).
	carriers []string
}

type city struct {
	name, state, zip, area string
	tax                    decimal.Decimal // US sales tax; 0 means the country's rate
	taxShipping            bool
}

// pct writes a percentage as hundredths: pct(19, 0) is 19.00 %.
func pct(units, hundredths int64) decimal.Decimal { return decimal.Decimal(units*100 + hundredths) }

var countries = []*country{
	{code: "US", currency: "USD", calling: "1", tld: "com", numberFirst: true,
		streets:  []string{"Industrial Ave", "Commerce Dr", "Technology Pkwy", "Enterprise Way", "Research Blvd", "Innovation Dr", "Main St", "Market St", "Mill Rd", "Harbor Blvd"},
		units:    []string{"Suite ###", "Unit #", "Building #", "Floor #"},
		local:    "555-01##",
		carriers: []string{"FedEx Ground", "UPS Ground", "FedEx 2Day", "UPS Next Day Air"},
		cities: []city{
			{"Austin", "TX", "787##", "512", pct(6, 25), true},
			{"Houston", "TX", "770##", "713", pct(6, 25), true},
			{"San Jose", "CA", "951##", "408", pct(7, 25), false},
			{"Los Angeles", "CA", "900##", "213", pct(7, 25), false},
			{"San Diego", "CA", "921##", "619", pct(7, 25), false},
			{"New York", "NY", "100##", "212", pct(4, 0), true},
			{"Rochester", "NY", "146##", "585", pct(4, 0), true},
			{"Seattle", "WA", "981##", "206", pct(6, 50), true},
			{"Chicago", "IL", "606##", "312", pct(6, 25), false},
			{"Boston", "MA", "021##", "617", pct(6, 25), false},
			{"Atlanta", "GA", "303##", "404", pct(4, 0), true},
			{"Detroit", "MI", "482##", "313", pct(6, 0), true},
			{"Columbus", "OH", "432##", "614", pct(5, 75), true},
			{"Denver", "CO", "802##", "303", pct(2, 90), false},
			{"Charlotte", "NC", "282##", "704", pct(4, 75), true},
			{"Portland", "OR", "972##", "503", 0, false},
		}},
	{code: "CA", currency: "CAD", calling: "1", tld: "ca", numberFirst: true, taxShipping: true,
		streets:  []string{"King St W", "Industrial Pkwy", "Commerce Rd", "Bay St", "Innovation Dr"},
		units:    []string{"Suite ###", "Unit #"},
		local:    "555-01##",
		carriers: []string{"Purolator Ground", "UPS Standard", "Canada Post Expedited Parcel"},
		cities: []city{
			{"Toronto", "ON", "M5V #?#", "416", pct(13, 0), true},
			{"Ottawa", "ON", "K1P #?#", "613", pct(13, 0), true},
			{"Vancouver", "BC", "V6B #?#", "604", pct(12, 0), true},
			{"Calgary", "AB", "T2P #?#", "403", pct(5, 0), true},
		}},
	{code: "GB", currency: "GBP", calling: "44", tld: "co.uk", numberFirst: true, tax: pct(20, 0), taxShipping: true,
		streets:  []string{"Station Road", "High Street", "Mill Lane", "Enterprise Way", "Canal Street", "Park Road"},
		units:    []string{"Unit #", "Unit ##", "Floor #"},
		carriers: []string{"DPD Next Day", "Royal Mail Tracked 48", "UPS Standard", "DHL Parcel UK"},
		// Ofcom reserves these ranges for drama: the numbers reach no one.
		cities: []city{
			{"London", "", "EC2A #??", "20 7946 0###", 0, false},
			{"Manchester", "", "M1 #??", "161 496 0###", 0, false},
			{"Birmingham", "", "B1 #??", "121 496 0###", 0, false},
			{"Leeds", "", "LS1 #??", "113 496 0###", 0, false},
			{"Bristol", "", "BS1 #??", "117 496 0###", 0, false},
		}},
	{code: "IE", currency: "EUR", calling: "353", tld: "ie", numberFirst: true, tax: pct(23, 0), taxShipping: true,
		streets:  []string{"Main Street", "Harbour Road", "Business Park", "Docklands Road"},
		units:    []string{"Unit #", "Block ?"},
		local:    "### ####",
		carriers: []string{"DPD Ireland", "An Post Express", "UPS Standard"},
		cities: []city{
			{"Dublin", "", "D02 ?###", "1", 0, false},
			{"Cork", "", "T12 ?###", "21", 0, false},
			{"Galway", "", "H91 ?###", "91", 0, false},
		}},
	{code: "DE", currency: "EUR", calling: "49", tld: "de", tax: pct(19, 0), taxShipping: true,
		streets:  []string{"Industriestraße", "Hauptstraße", "Gewerbestraße", "Bahnhofstraße", "Max-Planck-Straße", "Carl-Benz-Straße", "Robert-Bosch-Straße", "Am Technologiepark"},
		units:    []string{"Halle #", "Gebäude ?", "#. OG"},
		local:    "#######",
		carriers: []string{"DHL Paket", "DPD Classic", "GLS Business Parcel", "UPS Standard"},
		cities: []city{
			{"Berlin", "", "10###", "30", 0, false},
			{"München", "", "80###", "89", 0, false},
			{"Hamburg", "", "20###", "40", 0, false},
			{"Stuttgart", "", "70###", "711", 0, false},
			{"Köln", "", "50###", "221", 0, false},
			{"Frankfurt am Main", "", "60###", "69", 0, false},
			{"Dresden", "", "01###", "351", 0, false},
		}},
	{code: "AT", currency: "EUR", calling: "43", tld: "at", tax: pct(20, 0), taxShipping: true,
		streets:  []string{"Industriestraße", "Hauptplatz", "Gewerbepark", "Bahnhofstraße"},
		units:    []string{"Halle #", "Stiege #"},
		local:    "######",
		carriers: []string{"Österreichische Post Paket", "DPD Classic", "GLS Business Parcel"},
		cities: []city{
			{"Wien", "", "1##0", "1", 0, false},
			{"Graz", "", "80#0", "316", 0, false},
			{"Linz", "", "40#0", "732", 0, false},
		}},
	{code: "CH", currency: "CHF", calling: "41", tld: "ch", tax: pct(8, 10), taxShipping: true,
		streets:  []string{"Industriestrasse", "Bahnhofstrasse", "Hauptstrasse", "Route de l'Industrie"},
		units:    []string{"Halle #", "Gebäude ?"},
		local:    "### ## ##",
		carriers: []string{"Swiss Post PostPac Priority", "DHL Express", "DPD Classic"},
		cities: []city{
			{"Zürich", "ZH", "80##", "44", 0, false},
			{"Basel", "BS", "40##", "61", 0, false},
			{"Genève", "GE", "12##", "22", 0, false},
			{"Lausanne", "VD", "10##", "21", 0, false},
		}},
	{code: "FR", currency: "EUR", calling: "33", tld: "fr", numberFirst: true, tax: pct(20, 0), taxShipping: true, reduced: 550,
		streets:  []string{"rue de l'Industrie", "avenue de la République", "rue Victor Hugo", "boulevard Pasteur", "rue des Artisans", "allée des Entrepreneurs", "rue du Commerce"},
		units:    []string{"Bâtiment ?", "ZI du Parc", "Hall #"},
		local:    "## ## ## ##",
		mobile:   "6 ## ## ## ##",
		carriers: []string{"Chronopost 13H", "DPD Predict", "GLS Business Parcel", "TNT Express"},
		cities: []city{
			{"Paris", "", "750##", "1", 0, false},
			{"Lyon", "", "6900#", "4", 0, false},
			{"Marseille", "", "130##", "4", 0, false},
			{"Toulouse", "", "310##", "5", 0, false},
			{"Bordeaux", "", "330##", "5", 0, false},
			{"Lille", "", "590##", "3", 0, false},
			{"Nantes", "", "440##", "2", 0, false},
		}},
	{code: "BE", currency: "EUR", calling: "32", tld: "be", tax: pct(21, 0), taxShipping: true, reduced: 600,
		streets:  []string{"Rue de l'Industrie", "Industrieweg", "Avenue Louise", "Kerkstraat", "Zoning Industriel"},
		units:    []string{"Boîte #", "Bus #"},
		local:    "### ## ##",
		mobile:   "47# ## ## ##",
		carriers: []string{"bpost Pack", "DPD Classic", "GLS Business Parcel"},
		cities: []city{
			{"Bruxelles", "", "10#0", "2", 0, false},
			{"Antwerpen", "", "20#0", "3", 0, false},
			{"Gent", "", "90#0", "9", 0, false},
			{"Liège", "", "40#0", "4", 0, false},
		}},
	{code: "LU", currency: "EUR", calling: "352", tld: "lu", numberFirst: true, tax: pct(17, 0), taxShipping: true, reduced: 300,
		streets:  []string{"rue de la Gare", "avenue de la Liberté", "route d'Arlon"},
		units:    []string{"Bâtiment ?"},
		local:    "## ## ##",
		mobile:   "621 ### ###",
		carriers: []string{"POST Luxembourg Colis", "DPD Classic"},
		cities: []city{
			{"Luxembourg", "", "L-1###", "", 0, false},
			{"Esch-sur-Alzette", "", "L-4###", "", 0, false},
		}},
	{code: "NL", currency: "EUR", calling: "31", tld: "nl", tax: pct(21, 0), taxShipping: true, reduced: 900,
		streets:  []string{"Industrieweg", "Kanaalweg", "Stationsstraat", "Hoofdstraat", "Energieweg", "Marconistraat"},
		units:    []string{"Unit #", "Hal ?"},
		local:    "### ####",
		mobile:   "6 ########",
		carriers: []string{"PostNL Pakket", "DHL Parcel NL", "DPD Classic", "UPS Standard"},
		cities: []city{
			{"Amsterdam", "", "10## ??", "20", 0, false},
			{"Rotterdam", "", "30## ??", "10", 0, false},
			{"Eindhoven", "", "56## ??", "40", 0, false},
			{"Utrecht", "", "35## ??", "30", 0, false},
			{"Delft", "", "26## ??", "15", 0, false},
		}},
	{code: "IT", currency: "EUR", calling: "39", tld: "it", tax: pct(22, 0), taxShipping: true, reduced: 400,
		streets:  []string{"Via Roma", "Via dell'Industria", "Via Giuseppe Garibaldi", "Via dell'Artigianato", "Corso Italia"},
		units:    []string{"Capannone #", "Scala ?"},
		local:    "#### ####",
		mobile:   "3## ### ####",
		carriers: []string{"BRT Espresso", "GLS Italy", "SDA Express Courier", "DHL Express"},
		cities: []city{
			{"Milano", "MI", "201##", "02", 0, false},
			{"Torino", "TO", "101##", "011", 0, false},
			{"Bologna", "BO", "401##", "051", 0, false},
			{"Roma", "RM", "001##", "06", 0, false},
		}},
	{code: "ES", currency: "EUR", calling: "34", tld: "es", tax: pct(21, 0), taxShipping: true, reduced: 400,
		streets:  []string{"Calle Mayor", "Polígono Industrial Norte", "Avenida de la Industria", "Calle de Alcalá", "Carrer de Pallars"},
		units:    []string{"Nave #", "Planta #"},
		local:    "### ## ##",
		mobile:   "6## ## ## ##",
		carriers: []string{"SEUR 24", "MRW Urgente", "Correos Express", "DHL Parcel"},
		cities: []city{
			{"Madrid", "", "280##", "91", 0, false},
			{"Barcelona", "", "080##", "93", 0, false},
			{"Valencia", "", "460##", "96", 0, false},
			{"Bilbao", "", "480##", "94", 0, false},
		}},
	{code: "SE", currency: "SEK", calling: "46", tld: "se", tax: pct(25, 0), taxShipping: true,
		streets:  []string{"Industrigatan", "Storgatan", "Verkstadsvägen", "Hamngatan"},
		units:    []string{"Hus ?", "Plan #"},
		local:    "### ## ##",
		carriers: []string{"PostNord MyPack", "DHL Freight", "Schenker Parcel"},
		cities: []city{
			{"Stockholm", "", "1## ##", "8", 0, false},
			{"Göteborg", "", "4## ##", "31", 0, false},
			{"Malmö", "", "2## ##", "40", 0, false},
		}},
	{code: "DK", currency: "DKK", calling: "45", tld: "dk", tax: pct(25, 0), taxShipping: true,
		streets:  []string{"Industrivej", "Hovedgaden", "Vestergade", "Havnegade"},
		units:    []string{"# sal", "Bygning ?"},
		local:    "## ## ## ##",
		carriers: []string{"PostNord Erhverv", "GLS Business Parcel", "DAO Pakke"},
		cities: []city{
			{"København", "", "1###", "", 0, false},
			{"Aarhus", "", "80##", "", 0, false},
			{"Odense", "", "5###", "", 0, false},
		}},
	{code: "NO", currency: "NOK", calling: "47", tld: "no", tax: pct(25, 0), taxShipping: true,
		streets:  []string{"Industriveien", "Storgata", "Sjøgata", "Verkstedveien"},
		units:    []string{"Bygg ?", "# etg"},
		local:    "## ## ## ##",
		carriers: []string{"Posten Bedriftspakke", "Bring Express", "DHL Express"},
		cities: []city{
			{"Oslo", "", "0###", "", 0, false},
			{"Bergen", "", "50##", "", 0, false},
			{"Trondheim", "", "70##", "", 0, false},
		}},
	{code: "PL", currency: "PLN", calling: "48", tld: "pl", tax: pct(23, 0), taxShipping: true,
		streets:  []string{"ul. Przemysłowa", "ul. Fabryczna", "ul. Marszałkowska", "ul. Długa", "al. Jerozolimskie"},
		units:    []string{"lok. #", "hala ?"},
		local:    "### ## ##",
		carriers: []string{"DPD Polska", "InPost Kurier", "GLS Poland", "DHL Parcel"},
		cities: []city{
			{"Warszawa", "", "00-###", "22", 0, false},
			{"Kraków", "", "30-###", "12", 0, false},
			{"Wrocław", "", "50-###", "71", 0, false},
			{"Gdańsk", "", "80-###", "58", 0, false},
		}},
	{code: "AU", currency: "AUD", calling: "61", tld: "com.au", numberFirst: true, tax: pct(10, 0), taxShipping: true,
		streets:  []string{"Industrial Drive", "George Street", "Enterprise Avenue", "Technology Place"},
		units:    []string{"Unit #", "Level #"},
		local:    "5550 ####",
		carriers: []string{"StarTrack Express", "Australia Post Parcel Post", "TNT Road Express"},
		cities: []city{
			{"Sydney", "NSW", "20##", "2", 0, false},
			{"Melbourne", "VIC", "30##", "3", 0, false},
			{"Brisbane", "QLD", "40##", "7", 0, false},
			{"Perth", "WA", "60##", "8", 0, false},
		}},
}

var countryByCode = func() map[string]*country {
	m := make(map[string]*country, len(countries))
	for _, c := range countries {
		m[c.code] = c
	}
	return m
}()

// taxFor is the tax percentage and shipping rule at a destination.
func (c *country) taxFor(ct *city) (decimal.Decimal, bool) {
	if ct.tax != 0 || c.code == "US" {
		return ct.tax, ct.taxShipping
	}
	return c.tax, c.taxShipping
}

// phone returns a landline at ct, readable ("+49 89 1234567",
// "+1-512-555-0142").
func (g *rng) phone(c *country, ct *city) string {
	switch {
	case c.calling == "1":
		return "+1-" + ct.area + "-" + g.digits(c.local)
	case c.local == "": // the area carries the whole fictional range
		return "+" + c.calling + " " + g.digits(ct.area)
	case ct.area == "":
		return "+" + c.calling + " " + g.digits(c.local)
	}
	return "+" + c.calling + " " + ct.area + " " + g.digits(c.local)
}

// mobile returns a mobile number in compact E.164 ("+33612345678").
func (g *rng) mobile(c *country) string {
	return compactPhone("+" + c.calling + g.digits(c.mobile))
}

func compactPhone(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, s)
}

// street returns a street line in the country's order ("12 rue X",
// "Industriestraße 12", "123 Industrial Ave").
func (g *rng) street(c *country) string {
	name := pick(g, c.streets)
	n := g.between(1, 199)
	if c.code == "US" || c.code == "CA" || c.code == "AU" {
		n = g.between(100, 9899)
	}
	num := strconv.FormatInt(n, 10)
	if c.numberFirst {
		return num + " " + name
	}
	return name + " " + num
}
