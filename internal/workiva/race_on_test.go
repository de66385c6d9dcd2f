//go:build race

package workiva

// raceDetector: the race detector slows the HTTP round trips of the
// emulator tests several times; sampled tests take fewer samples.
const raceDetector = true
