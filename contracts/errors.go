package contracts

import "errors"

// Errors returned by New and Suite.Run. Configuration errors all wrap
// ErrConfig so a command line maps them to one exit code.
var (
	// ErrConfig is wrapped by every configuration error (bad option, secret, pointer, template).
	ErrConfig = errors.New("contracts: bad configuration")
	// ErrUnknownCheck is returned for a check name that is not registered; it wraps ErrConfig.
	ErrUnknownCheck = wrapConfig("contracts: unknown check")
	// ErrUnreachable means the receiver could not be reached before any check ran.
	ErrUnreachable = errors.New("contracts: receiver unreachable")
)

// configError is a sentinel that also matches ErrConfig.
type configError struct{ msg string }

func wrapConfig(msg string) error        { return &configError{msg} }
func (e *configError) Error() string     { return e.msg }
func (e *configError) Is(err error) bool { return err == ErrConfig }
