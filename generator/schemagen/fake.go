package schemagen

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"net/netip"
	"strings"
	"time"
)

func jsonNumber(s string) json.Number { return json.Number(s) }

// Generated dates lie in [epoch, epoch+span): fixed, so payloads do not
// depend on the wall clock.
var (
	epoch = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)
	span  = int64(3 * 365 * 24 * time.Hour / time.Second)
)

func (s *state) instant() time.Time {
	return epoch.Add(time.Duration(s.r.Int64N(span)) * time.Second)
}

// knownFormat lists the formats generated on purpose; others (password,
// binary, custom ones) are annotations only and get ordinary text.
func knownFormat(f string) bool {
	switch f {
	case "date-time", "date", "time", "duration", "email", "idn-email", "hostname",
		"idn-hostname", "ipv4", "ipv6", "uri", "url", "iri", "uri-reference",
		"iri-reference", "uri-template", "uuid", "json-pointer", "relative-json-pointer",
		"regex", "byte", "semver", "period":
		return true
	}
	return false
}

// formatValue returns a realistic string of a format; later attempts
// return shorter ones, for tight maxLength.
func (s *state) formatValue(f string, attempt int) string {
	short := attempt >= 6
	switch f {
	case "date-time":
		t := s.instant()
		if !short && s.r.IntN(3) == 0 {
			return t.Add(time.Duration(s.r.IntN(1000)) * time.Millisecond).Format("2006-01-02T15:04:05.000Z07:00")
		}
		return t.Format(time.RFC3339)
	case "date":
		return s.instant().Format(time.DateOnly)
	case "time":
		return s.instant().Format("15:04:05Z07:00")
	case "duration":
		if short {
			return fmt.Sprintf("PT%dM", 1+s.r.IntN(59))
		}
		return fmt.Sprintf("P%dDT%dH%dM", s.r.IntN(30), s.r.IntN(24), s.r.IntN(60))
	case "period":
		t := s.instant()
		return t.Format(time.RFC3339) + "/" + t.Add(time.Duration(1+s.r.IntN(72))*time.Hour).Format(time.RFC3339)
	case "email", "idn-email":
		if short {
			return string(rune('a'+s.r.IntN(26))) + "@x.io"
		}
		return strings.ToLower(s.fake.FirstName()+"."+s.fake.LastName()) + "@example." + pick(s, []string{"com", "org", "net", "io"})
	case "hostname", "idn-hostname":
		if short {
			return "x.io"
		}
		return s.fake.DomainName()
	case "ipv4":
		return s.fake.IPv4Address()
	case "ipv6":
		var a [16]byte
		for i := range a {
			a[i] = byte(s.r.IntN(256))
		}
		return netip.AddrFrom16(a).String()
	case "uri", "url", "iri":
		if short {
			return "https://x.io"
		}
		return "https://" + s.fake.DomainName() + "/" + s.slug() + "/" + fmt.Sprint(1+s.r.IntN(99999))
	case "uri-reference", "iri-reference":
		return "/" + s.slug() + "/" + fmt.Sprint(1+s.r.IntN(99999))
	case "uri-template":
		return "https://" + s.fake.DomainName() + "/" + s.slug() + "/{id}"
	case "uuid":
		return s.uuid()
	case "json-pointer":
		return "/" + s.slug() + "/" + fmt.Sprint(s.r.IntN(10))
	case "relative-json-pointer":
		return fmt.Sprint(s.r.IntN(3)) + "/" + s.slug()
	case "regex":
		return "^[a-z]+$"
	case "byte":
		b := make([]byte, 3+s.r.IntN(24))
		for i := range b {
			b[i] = byte(s.r.IntN(256))
		}
		if short {
			b = b[:3]
		}
		return base64.StdEncoding.EncodeToString(b)
	case "semver":
		return fmt.Sprintf("%d.%d.%d", s.r.IntN(5), s.r.IntN(20), s.r.IntN(30))
	}
	return s.text(1, 24)
}

// formatOK checks a second format of a conjunction cheaply; the first is
// the one generated.
func formatOK(f, str string) bool {
	switch f {
	case "date-time":
		_, err := time.Parse(time.RFC3339Nano, str)
		return err == nil
	case "date":
		_, err := time.Parse(time.DateOnly, str)
		return err == nil
	case "email", "idn-email":
		return strings.Count(str, "@") == 1
	case "uuid":
		return len(str) == 36 && strings.Count(str, "-") == 4
	case "ipv4":
		a, err := netip.ParseAddr(str)
		return err == nil && a.Is4()
	case "ipv6":
		a, err := netip.ParseAddr(str)
		return err == nil && a.Is6()
	}
	return !knownFormat(f)
}

// slug is a noun usable in a URI path or JSON pointer: a-z, 0-9 and '-'.
func (s *state) slug() string {
	var b strings.Builder
	for _, r := range strings.ToLower(s.fake.Noun()) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && r == ' ' || r == '-':
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "item"
	}
	return strings.Trim(b.String(), "-")
}

func pick[T any](s *state, xs []T) T { return xs[s.r.IntN(len(xs))] }

// uuid returns a random version 4 UUID from the payload's stream.
func (s *state) uuid() string { return s.fake.UUID() }

// hint is what a property's name says about its value.
type hint struct {
	kind typeSet                              // the type to pick when the schema allows any
	str  func(*state) string                  // a string value
	num  func(s *state, integer bool) float64 // a number value
}

func money(s *state, integer bool) float64 {
	if integer { // minor units
		return float64(100 + s.r.IntN(50000))
	}
	return math.Round((1+s.r.Float64()*499)*100) / 100
}

func between(lo, hi int) func(*state, bool) float64 {
	return func(s *state, _ bool) float64 { return float64(lo + s.r.IntN(hi-lo+1)) }
}

func timestamp(s *state, _ bool) float64 { return float64(s.instant().Unix()) }

func words(n int) func(*state) string {
	return func(s *state) string { return strings.TrimSuffix(s.fake.Sentence(n), ".") }
}

var (
	hEmail    = &hint{kind: tStr, str: func(s *state) string { return s.formatValue("email", 0) }}
	hFirst    = &hint{kind: tStr, str: func(s *state) string { return s.fake.FirstName() }}
	hLast     = &hint{kind: tStr, str: func(s *state) string { return s.fake.LastName() }}
	hName     = &hint{kind: tStr, str: func(s *state) string { return s.fake.Name() }}
	hUser     = &hint{kind: tStr, str: func(s *state) string { return strings.ToLower(s.fake.Username()) }}
	hPhone    = &hint{kind: tStr, str: func(s *state) string { return "+1" + s.fake.Phone() }}
	hCity     = &hint{kind: tStr, str: func(s *state) string { return s.fake.City() }}
	hCountry  = &hint{kind: tStr, str: func(s *state) string { return s.fake.Country() }}
	hCountryC = &hint{kind: tStr, str: func(s *state) string { return s.fake.CountryAbr() }}
	hState    = &hint{kind: tStr, str: func(s *state) string { return s.fake.State() }}
	hStreet   = &hint{kind: tStr, str: func(s *state) string { return s.fake.Street() }}
	hZip      = &hint{kind: tStr, str: func(s *state) string { return s.fake.Zip() }}
	hCurrency = &hint{kind: tStr, str: func(s *state) string { return s.fake.CurrencyShort() }}
	hMoney    = &hint{kind: tNum, num: money, str: func(s *state) string { return fmt.Sprintf("%.2f", money(s, false)) }}
	hQuantity = &hint{kind: tInt, num: between(1, 10)}
	hCount    = &hint{kind: tInt, num: between(0, 100)}
	hURL      = &hint{kind: tStr, str: func(s *state) string { return s.formatValue("uri", 0) }}
	hTime     = &hint{kind: tStr, num: timestamp, str: func(s *state) string { return s.formatValue("date-time", 0) }}
	hDate     = &hint{kind: tStr, str: func(s *state) string { return s.formatValue("date", 0) }}
	hID       = &hint{kind: tStr, num: between(1, 999999), str: func(s *state) string { return s.uuid() }}
	hCompany  = &hint{kind: tStr, str: func(s *state) string { return s.fake.Company() }}
	hText     = &hint{kind: tStr, str: words(8)}
	hTitle    = &hint{kind: tStr, str: words(4)}
	hSKU      = &hint{kind: tStr, str: func(s *state) string { return fmt.Sprintf("SKU-%05d", s.r.IntN(100000)) }}
	hColor    = &hint{kind: tStr, str: func(s *state) string { return s.fake.Color() }}
	hLanguage = &hint{kind: tStr, str: func(s *state) string { return s.fake.LanguageAbbreviation() }}
	hLat      = &hint{kind: tNum, num: func(s *state, _ bool) float64 { return math.Round(s.fake.Latitude()*1e5) / 1e5 }}
	hLon      = &hint{kind: tNum, num: func(s *state, _ bool) float64 { return math.Round(s.fake.Longitude()*1e5) / 1e5 }}
	hIP       = &hint{kind: tStr, str: func(s *state) string { return s.fake.IPv4Address() }}
	hAgent    = &hint{kind: tStr, str: func(s *state) string { return s.fake.UserAgent() }}
	hAge      = &hint{kind: tInt, num: between(18, 90)}
	hYear     = &hint{kind: tInt, num: between(1990, 2030)}
	hPercent  = &hint{kind: tNum, num: between(0, 100)}
	hBool     = &hint{kind: tBool}
)

// hintsByName maps a normalised property name (lower case, no _ - or
// spaces) to its hint.
var hintsByName = map[string]*hint{
	"email": hEmail, "emailaddress": hEmail, "mail": hEmail,
	"firstname": hFirst, "givenname": hFirst, "forename": hFirst,
	"lastname": hLast, "surname": hLast, "familyname": hLast,
	"name": hName, "fullname": hName, "customername": hName, "contactname": hName, "displayname": hName,
	"username": hUser, "login": hUser, "handle": hUser, "nickname": hUser,
	"phone": hPhone, "phonenumber": hPhone, "telephone": hPhone, "mobile": hPhone, "tel": hPhone,
	"city": hCity, "town": hCity,
	"country": hCountry, "countryname": hCountry,
	"countrycode": hCountryC, "countryiso": hCountryC,
	"state": hState, "province": hState, "region": hState,
	"street": hStreet, "address": hStreet, "address1": hStreet, "addressline1": hStreet, "line1": hStreet, "streetaddress": hStreet,
	"zip": hZip, "zipcode": hZip, "postcode": hZip, "postalcode": hZip,
	"currency": hCurrency, "currencycode": hCurrency,
	"price": hMoney, "amount": hMoney, "total": hMoney, "subtotal": hMoney, "cost": hMoney, "fee": hMoney,
	"tax": hMoney, "totalprice": hMoney, "unitprice": hMoney, "balance": hMoney,
	"quantity": hQuantity, "qty": hQuantity,
	"count": hCount,
	"url":   hURL, "website": hURL, "homepage": hURL, "link": hURL, "href": hURL, "uri": hURL,
	"createdat": hTime, "updatedat": hTime, "deletedat": hTime, "timestamp": hTime, "created": hTime,
	"updated": hTime, "modified": hTime, "occurredat": hTime,
	"date": hDate, "birthdate": hDate, "dateofbirth": hDate,
	"id": hID, "uuid": hID, "guid": hID,
	"company": hCompany, "companyname": hCompany, "organization": hCompany, "organisation": hCompany,
	"description": hText, "note": hText, "notes": hText, "comment": hText, "message": hText, "body": hText,
	"title": hTitle, "subject": hTitle, "summary": hTitle,
	"sku":   hSKU,
	"color": hColor, "colour": hColor,
	"language": hLanguage, "lang": hLanguage,
	"latitude": hLat, "lat": hLat, "longitude": hLon, "lng": hLon, "lon": hLon,
	"ip": hIP, "ipaddress": hIP,
	"useragent": hAgent,
	"age":       hAge, "year": hYear,
	"percent": hPercent, "percentage": hPercent,
}

// hintFor returns what a property name suggests, or nil: the exact name
// first, then its last word (billing_email, orderId, created_at).
func hintFor(name string) *hint {
	if name == "" {
		return nil
	}
	norm := normalise(name)
	if h, ok := hintsByName[norm]; ok {
		return h
	}
	switch {
	case strings.HasSuffix(norm, "email"):
		return hEmail
	case strings.HasSuffix(norm, "url") || strings.HasSuffix(norm, "uri"):
		return hURL
	case strings.HasSuffix(norm, "at") && (strings.HasSuffix(name, "At") || strings.HasSuffix(name, "_at")):
		return hTime
	case strings.HasSuffix(norm, "date"):
		return hDate
	case strings.HasSuffix(norm, "id") && (strings.HasSuffix(name, "Id") || strings.HasSuffix(name, "ID") || strings.HasSuffix(name, "_id")):
		return hID
	case strings.HasSuffix(norm, "price") || strings.HasSuffix(norm, "amount") || strings.HasSuffix(norm, "total"):
		return hMoney
	case strings.HasSuffix(norm, "quantity"):
		return hQuantity
	case strings.HasSuffix(norm, "count"):
		return hCount
	case strings.HasSuffix(norm, "phone"):
		return hPhone
	case strings.HasSuffix(norm, "name") && (strings.HasSuffix(name, "Name") || strings.HasSuffix(name, "_name")):
		return hName
	case strings.HasPrefix(norm, "is") && len(name) > 2 && (name[2] == '_' || name[2] >= 'A' && name[2] <= 'Z'),
		strings.HasPrefix(norm, "has") && len(name) > 3 && (name[3] == '_' || name[3] >= 'A' && name[3] <= 'Z'):
		return hBool
	}
	return nil
}

func normalise(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r + 'a' - 'A')
		case r == '_' || r == '-' || r == ' ' || r == '.':
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
