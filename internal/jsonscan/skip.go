package jsonscan

import (
	"unicode/utf8"
)

// fastDepth bounds the nesting, below the current level, that skipFast
// follows; deeper values are read token by token.
const fastDepth = 64

// skipFast reads one value as Skip does, in one loop over the bytes
// rather than token by token: Skip's fast path, a third of its cost. It
// consumes nothing and returns false at anything it does not accept (a
// syntax error, or nesting deeper than fastDepth below the current
// level): Skip then reads the value token by token, which finds the
// error and its offset. It accepts only what the token methods accept.
func (s *Scanner) skipFast() bool {
	if s.err != nil {
		return false
	}
	d, i, n := s.data, s.pos, 0
	var open [fastDepth]byte // the closing byte of each container open
	container := false
	for {
		i = space(d, i)
		if i >= len(d) {
			return false
		}
		switch c := d[i]; c {
		case '{', '[':
			if n == fastDepth || s.depth+n+1 > MaxDepth {
				return false
			}
			container = true
			closing := byte(']')
			if c == '{' {
				closing = '}'
			}
			if i = space(d, i+1); i < len(d) && d[i] == closing {
				i++
				break // an empty container: a value read
			}
			open[n] = closing
			n++
			if c == '{' {
				if i = nextKey(d, i); i < 0 {
					return false
				}
			}
			continue // its first value
		case '"':
			// A string without escapes or non-ASCII bytes (most of a
			// payload's) ends at the first byte PlainRun stops at.
			if j := PlainRun(d, i+1); j < len(d) && d[j] == '"' {
				i = j + 1
			} else {
				i = skipString(d, i)
			}
		case 't':
			i = skipWord(d, i, "true")
		case 'f':
			i = skipWord(d, i, "false")
		case 'n':
			i = skipWord(d, i, "null")
		default:
			i = skipNumber(d, i)
		}
		if i < 0 {
			return false
		}
		// After a value: the containers it closes, then a separator.
		for {
			if n == 0 {
				s.pos = i
				if container {
					s.first = false // as the token methods leave it
				}
				return true
			}
			if i = space(d, i); i >= len(d) {
				return false
			}
			if d[i] == open[n-1] {
				i++
				n--
				continue
			}
			if d[i] != ',' {
				return false
			}
			i++
			if open[n-1] == '}' {
				if i = nextKey(d, space(d, i)); i < 0 {
					return false
				}
			}
			break
		}
	}
}

func space(d []byte, i int) int {
	for i < len(d) {
		switch d[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// nextKey is skipKey with the usual case first: a name without escapes
// or non-ASCII bytes, the colon right after it.
func nextKey(d []byte, i int) int {
	if i < len(d) && d[i] == '"' {
		if j := PlainRun(d, i+1); j < len(d)-1 && d[j] == '"' && d[j+1] == ':' {
			return j + 2
		}
	}
	return skipKey(d, i)
}

// skipKey reads a member name and its colon from d[i] on; -1 if there
// is none.
func skipKey(d []byte, i int) int {
	if i >= len(d) || d[i] != '"' {
		return -1
	}
	if i = skipString(d, i); i < 0 {
		return -1
	}
	if i = space(d, i); i >= len(d) || d[i] != ':' {
		return -1
	}
	return i + 1
}

// skipString reads the string that starts at d[i] (a quote) and returns
// the offset after it; -1 if it is not a valid string.
func skipString(d []byte, i int) int {
	i++
	start := i
	ascii := true
	for {
		i = PlainRun(d, i)
		if i >= len(d) {
			return -1
		}
		switch c := d[i]; {
		case c == '"':
			if !ascii && !utf8.Valid(d[start:i]) {
				return -1
			}
			return i + 1
		case c == '\\':
			if i+1 >= len(d) {
				return -1
			}
			switch d[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(d) || !isHex4(d[i+2:i+6]) {
					return -1
				}
				i += 6
			default:
				return -1
			}
		case c < 0x20:
			return -1
		default: // a byte of a multi-byte character
			ascii = false
			i++
		}
	}
}

// skipWord reads the literal w at d[i]; -1 if it is not there.
func skipWord(d []byte, i int, w string) int {
	if len(d)-i < len(w) || string(d[i:i+len(w)]) != w {
		return -1
	}
	return i + len(w)
}

// skipNumber reads the number at d[i] (RFC 8259's grammar); -1 if there
// is none.
func skipNumber(d []byte, i int) int {
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		i = digits(d, i)
	default:
		return -1
	}
	if i < len(d) && d[i] == '.' {
		j := digits(d, i+1)
		if j == i+1 {
			return -1
		}
		i = j
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		j := digits(d, i)
		if j == i {
			return -1
		}
		i = j
	}
	return i
}

func digits(d []byte, i int) int {
	for i < len(d) && d[i] >= '0' && d[i] <= '9' {
		i++
	}
	return i
}
