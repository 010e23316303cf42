package cputime

import (
	"testing"
	"time"
)

// A busy loop of 50 ms wall on one goroutine uses between ~25 ms (a loaded
// machine) and ~60 ms (scheduler slack) of CPU; a process that sleeps uses
// almost none. Both bounds are loose: the point is that the clock is the
// process's CPU clock, not the wall clock.
func TestSinceCountsWorkNotSleep(t *testing.T) {
	if !Supported() {
		t.Skip("cputime: no CPU clock on this platform")
	}
	c0 := Now()
	time.Sleep(50 * time.Millisecond)
	if slept := Since(c0); slept > 20*time.Millisecond {
		t.Errorf("sleeping 50 ms used %v CPU", slept)
	}
	c0 = Now()
	x, end := 0.0, time.Now().Add(50*time.Millisecond)
	for time.Now().Before(end) {
		for i := range 1000 {
			x += float64(i)
		}
	}
	if used := Since(c0); used < 10*time.Millisecond || used > 500*time.Millisecond {
		t.Errorf("50 ms busy loop used %v CPU (x=%g)", used, x)
	}
}
