// Package inspect is the web inspector of a capture store (package
// capture): a local web app, served by `orderhooks inspect` and by
// `orderhooks receive --store FILE --ui`, to look at what a receiver got.
//
// # Pages
//
//   - Deliveries: newest first, filtered by provider, event, order key,
//     verdict, status and app errors, paginated with the store's cursor, and
//     live: a delivery stored while the page is open appears at the top
//     within a second (server-sent events from Store.Watch), without reload.
//     A feed lives as long as its client, past the server's ReadTimeout
//     and WriteTimeout.
//   - A delivery: its headers, raw body, the verified payload pretty-printed
//     and foldable with its schema violations marked at their JSON pointers,
//     the signature verdict explained from the platform's wire format (what
//     is signed, how the key is derived; never the secret), the receiver's
//     and the forwarded app's answers.
//   - An order's timeline: every delivery of one key in arrival order, each
//     snapshot compared field by field with the one before
//     (/kanbanColumnName "In Progress" → "Shipped"), duplicates and
//     out-of-order arrivals marked.
//   - Actions: replay a delivery to a URL (as captured, or rebuilt and
//     signed with a secret typed in or read from env:NAME), check the
//     captured signature with a secret (and name the usual signing mistake
//     that explains a mismatch), copy the delivery as a curl command with a
//     valid signature, export an order's lifecycle as a scenario file.
//
// # Safety
//
// The pages show personal data and act on the user's behalf, so the
// inspector listens on loopback unless given a token (New refuses any other
// address without one, ErrExposed), answers only requests whose Host is a
// loopback name there (a DNS-rebinding page cannot read it), takes
// state-changing actions only as POSTs carrying a per-process CSRF token
// from the same origin, renders every value through html/template (a
// <script> in a customer's name stays text), serves its own script and
// stylesheet only under a strict Content-Security-Policy, serves bodies
// only as downloads, and never puts a secret on a page: a secret given in
// a form is used for that one request and forgotten.
//
// Everything is in the binary (html/template pages, one stylesheet, one
// small script, embedded with embed): nothing is fetched at run time and
// there is no build step.
package inspect
