//go:build !race

package workiva

const raceDetector = false
