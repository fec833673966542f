//go:build !race

package main

// raceDetector: the tests run under -race, whose memory overhead inflates
// the test process.
const raceDetector = false
