package pii

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kinds of personal data, the values of the schemas' "x-personal"
// annotation. Each kind has its own pseudonym format.
const (
	// KindName is a person's or recipient's name: each word becomes a
	// made-up word of the same length and capitalisation.
	KindName = "name"
	// KindCompany is a company name: as KindName, legal-form words
	// (GmbH, Inc, SAS, Ltd…) kept.
	KindCompany = "company"
	// KindEmail is an e-mail address: the local part's words become
	// made-up words (the same ones a name with those words gets), the
	// domain a made-up name under the reserved .example top-level domain.
	KindEmail = "email"
	// KindPhone is a phone number: a leading + and the two digits after
	// it (the country code, or most of it) and every separator kept, the
	// other digits replaced.
	KindPhone = "phone"
	// KindStreet is a street line: words and numbers replaced, street
	// words (Street, Rue, Straße, Apt…) kept.
	KindStreet = "street"
	// KindCity is a city name, words replaced.
	KindCity = "city"
	// KindPostalCode, KindIdentifier (tax, customs and company numbers)
	// and KindReference (a customer's own reference) keep their shape:
	// each letter becomes a letter of the same case, each digit a digit.
	KindPostalCode = "postal-code"
	KindIdentifier = "identifier"
	KindReference  = "reference"
	// KindNote is free text: words replaced, punctuation kept.
	KindNote = "note"
	// KindFreeForm marks a free-form object or value: every string and
	// number inside is replaced (as KindNote and digit for digit);
	// member names are kept.
	KindFreeForm = "free-form"
)

// Kinds lists the kinds, for documentation and checks of annotations.
var Kinds = []string{KindName, KindCompany, KindEmail, KindPhone, KindStreet, KindCity,
	KindPostalCode, KindIdentifier, KindReference, KindNote, KindFreeForm}

// stream is a deterministic byte stream: HMAC-SHA256 of a seed under the
// redactor's key, in counter mode.
type stream struct {
	mac  func(parts ...string) [32]byte
	seed string
	buf  [32]byte
	n    int // bytes of buf used
	ctr  uint32
}

func (s *stream) byte() byte {
	if s.n == len(s.buf) || s.ctr == 0 {
		var c [4]byte
		binary.BigEndian.PutUint32(c[:], s.ctr)
		s.buf = s.mac("stream", s.seed, string(c[:]))
		s.ctr++
		s.n = 0
	}
	b := s.buf[s.n]
	s.n++
	return b
}

// intn returns a number in [0, n) for n ≤ 256 (a byte reduced: the bias
// does not matter for pseudonyms).
func (s *stream) intn(n int) int { return int(s.byte()) % n }

const (
	consonants = "bdfgklmnprstvz"
	vowels     = "aeiou"
)

// word returns a made-up word of n letters, lower case, from s: it
// alternates consonants and vowels so that it reads as a name.
func word(s *stream, n int) []rune {
	out := make([]rune, n)
	vowel := s.intn(2) == 0
	for i := range out {
		if vowel {
			out[i] = rune(vowels[s.intn(len(vowels))])
		} else {
			out[i] = rune(consonants[s.intn(len(consonants))])
		}
		vowel = !vowel
	}
	return out
}

// keepWords are words of street lines and company names that identify
// nobody; they are kept so that a pseudonym reads like what it replaces.
var keepWords = map[string]map[string]bool{
	KindCompany: set("inc", "llc", "ltd", "limited", "plc", "corp", "corporation", "co", "gmbh", "ag", "kg", "ug", "se",
		"sa", "sas", "sarl", "sasu", "eurl", "sl", "slu", "srl", "spa", "bv", "nv", "oy", "ab", "as", "aps", "kk", "pty",
		"and", "und", "et", "y", "the"),
	KindStreet: set("street", "st", "road", "rd", "avenue", "ave", "boulevard", "blvd", "lane", "ln", "drive", "dr",
		"way", "court", "ct", "place", "pl", "square", "sq", "suite", "ste", "apt", "unit", "floor", "fl", "building",
		"bldg", "po", "box", "rue", "chemin", "allée", "impasse", "quai", "route", "bâtiment", "étage", "boîte", "bis",
		"ter", "de", "du", "des", "la", "le", "les", "l", "d", "straße", "strasse", "str", "weg", "platz", "allee",
		"gasse", "ring", "damm", "calle", "avenida", "plaza",
		"paseo", "carrer", "via", "viale", "piazza", "corso", "vej", "gade", "gatan", "vägen", "straat", "laan", "plein",
		"rua", "travessa", "del", "della", "di", "da", "dos", "van", "der", "den", "am", "an", "im", "auf", "zum", "zur"),
}

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// pseudonym is Redactor.Pseudonym with the leak guard's attempt number
// (0 first) mixed into every seed.
func (r *Redactor) pseudonym(kind, value string, attempt int) string {
	if value == "" {
		return ""
	}
	salt := ""
	if attempt > 0 {
		salt = "\x00retry" + string(rune('0'+attempt))
	}
	switch kind {
	case KindEmail:
		return r.email(value, salt)
	case KindPhone:
		return r.phone(value, salt)
	case KindPostalCode, KindIdentifier, KindReference:
		return r.chars(value, "v"+strings.ToLower(strings.TrimSpace(value))+salt)
	}
	return r.words(kind, value, salt)
}

// words replaces every run of letters by a made-up word derived from that
// word alone (so the same word reads the same in every field and every
// delivery of the store), and every run of digits by digits derived from
// the whole value. Other characters stay.
func (r *Redactor) words(kind, value, salt string) string {
	keep := keepWords[kind]
	var b strings.Builder
	digits := &stream{mac: r.mac, seed: "d" + strings.ToLower(value) + salt}
	replaced := false
	for i := 0; i < len(value); {
		rn, size := utf8.DecodeRuneInString(value[i:])
		switch {
		case unicode.IsLetter(rn):
			j := i
			for j < len(value) {
				c, n := utf8.DecodeRuneInString(value[j:])
				if !unicode.IsLetter(c) && !unicode.IsMark(c) && c != '\'' {
					break
				}
				j += n
			}
			w := value[i:j]
			if keep[strings.ToLower(w)] {
				b.WriteString(w)
			} else {
				b.WriteString(r.word(w, salt))
				replaced = true
			}
			i = j
		case unicode.IsDigit(rn):
			b.WriteByte('0' + byte(digits.intn(10)))
			replaced = true
			i += size
		default:
			b.WriteRune(rn)
			i += size
		}
	}
	out := b.String()
	if !replaced && strings.TrimSpace(value) != "" && keep != nil {
		// Only kept words: they are the value, so they go too.
		return r.words(KindNote, value, salt)
	}
	return out
}

// word is the made-up word for w: letters replaced one for one, case per
// letter kept; marks, dots and apostrophes inside the word kept.
func (r *Redactor) word(w, salt string) string {
	s := &stream{mac: r.mac, seed: "w" + strings.ToLower(w) + salt}
	letters := 0
	for _, c := range w {
		if unicode.IsLetter(c) {
			letters++
		}
	}
	made := word(s, letters)
	var b strings.Builder
	k := 0
	for _, c := range w {
		if !unicode.IsLetter(c) {
			b.WriteRune(c)
			continue
		}
		m := made[k]
		k++
		if unicode.IsUpper(c) || unicode.IsTitle(c) {
			m = unicode.ToUpper(m)
		}
		b.WriteRune(m)
	}
	return b.String()
}

// chars keeps the value's shape: each letter a letter of the same case,
// each digit a digit; anything else kept.
func (r *Redactor) chars(value, seed string) string {
	s := &stream{mac: r.mac, seed: seed}
	var b strings.Builder
	for _, c := range value {
		switch {
		case unicode.IsDigit(c):
			b.WriteByte('0' + byte(s.intn(10)))
		case unicode.IsLetter(c):
			l := rune('a' + s.intn(26))
			if unicode.IsUpper(c) {
				l = unicode.ToUpper(l)
			}
			b.WriteRune(l)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

func (r *Redactor) email(value, salt string) string {
	local, domain, ok := strings.Cut(strings.TrimSpace(value), "@")
	if !ok {
		return r.words(KindNote, value, salt)
	}
	label, _, _ := strings.Cut(domain, ".")
	label = strings.ToLower(label)
	if label == "" || !strings.ContainsFunc(label, unicode.IsLetter) {
		label = "mail"
	}
	return strings.ToLower(r.words(KindName, local, salt)) + "@" + r.word(label, salt+"\x00domain") + ".example"
}

func (r *Redactor) phone(value, salt string) string {
	var digits strings.Builder
	for _, c := range value {
		if c >= '0' && c <= '9' {
			digits.WriteRune(c)
		}
	}
	s := &stream{mac: r.mac, seed: "p" + digits.String() + salt}
	keep := 0
	trimmed := strings.TrimSpace(value)
	if strings.HasPrefix(trimmed, "+") {
		keep = 2
	} else if strings.HasPrefix(trimmed, "0") {
		keep = 1
	}
	var b strings.Builder
	seen := 0
	for _, c := range value {
		if c < '0' || c > '9' {
			b.WriteRune(c)
			continue
		}
		seen++
		if seen <= keep {
			b.WriteRune(c)
			continue
		}
		b.WriteByte('0' + byte(s.intn(10)))
	}
	return b.String()
}

// newMAC returns the keyed hash of the redactor: HMAC-SHA256 over the
// parts, each length-prefixed so that no two part lists collide.
func newMAC(key []byte) func(parts ...string) [32]byte {
	return func(parts ...string) [32]byte {
		m := hmac.New(sha256.New, key)
		var n [4]byte
		for _, p := range parts {
			binary.BigEndian.PutUint32(n[:], uint32(len(p)))
			m.Write(n[:])
			m.Write([]byte(p))
		}
		var out [32]byte
		copy(out[:], m.Sum(nil))
		return out
	}
}
