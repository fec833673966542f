// Package pii replaces the personal data in webhook payloads by
// deterministic pseudonyms, so that captured traffic can be stored,
// exported, shared and replayed without the names, addresses and phone
// numbers of real customers.
//
// # Which fields are personal
//
// The schemas say so, once: a field's schema carries the annotation
// "x-personal" with the kind of data it holds (validators ignore the
// keyword; the strict variants keep it). Fields lists them per schema:
//
//	phasio/order:           /customerOrganisationName company, /customReference reference,
//	                        /shipping/address/{name, street1, street2, city, zip, phone, email}
//	happycolis/order-event: every contact's fullname, email, address, addressComplement,
//	                        zipcode, city, phone, comments, metadata, taxId, eori,
//	                        companyId, registration; /body/comment; /body/meta and
//	                        /body/lines/*/meta (free-form)
//
// Left alone on purpose: country and state (they drive tax and carrier
// logic and identify nobody), the order's own identifiers (UUIDs, order and
// quote numbers, HappyColis externalReference: receivers key on them and
// they are the platform's, not the customer's), amounts and products.
//
// Fields the schemas do not document at all (a platform adding
// buyer.birthdate) are replaced too, as free-form data, unless
// WithKeepUndocumented is given; so are all strings and numbers of events
// that have no schema. Member names are kept.
//
// # Pseudonyms
//
// A pseudonym has the kind and format of the value it replaces, so
// redacted payloads still validate against the strict schemas and still
// read like orders: names and streets get made-up words of the same length
// and capitalisation (street and legal-form words such as Rue, Straße, GmbH
// kept), e-mail addresses a made-up local part at a made-up domain under
// the reserved .example top-level domain, phone numbers other digits with
// the country code and separators kept, postal codes and identifiers
// another letter for each letter and digit for each digit.
//
// Pseudonyms are HMAC-SHA256 of the value under a salt (NewSalt; a capture
// store keeps one), so the same value gives the same pseudonym in every
// payload of a store, and a different one in another store. Words are
// replaced one by one, so a customer's e-mail address keeps matching its
// name, and the same customer stays the same customer across orders: the
// redacted data still tells the same story.
//
// This is pseudonymisation, not anonymisation: with the salt, anyone can
// test whether a given value is in the data, and word frequencies survive.
// Keep the salt with the data and share neither with people who must not
// see the originals.
//
// A leak guard checks every pseudonym of a payload against the payload's
// personal values (those of at least GuardLength characters) and derives
// another one should a made-up word spell one of them.
package pii
