package redact

import (
	"net/http"
	"slices"
)

// Mark stands for a value that is never shown: a secret, a credential
// header's value, a header given to be sent but not recorded.
const Mark = "[redacted]"

// credentialHeaders carry credentials whoever set them.
var credentialHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie"}

// CredentialHeader reports whether a header carries credentials
// (Authorization, Proxy-Authorization, Cookie), whatever its case: its
// value is never recorded nor stored.
func CredentialHeader(name string) bool {
	return slices.Contains(credentialHeaders, http.CanonicalHeaderKey(name))
}
