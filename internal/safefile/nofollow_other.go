//go:build !unix

package safefile

// NoFollow is 0 where the platform has no O_NOFOLLOW; NotALink checks.
const NoFollow = 0
