// Package cputime reads the process's CPU time (user + system, all
// threads) for benchmarks that report it next to wall time: on a shared
// machine CPU time is the steadier figure, and comparing it with wall time
// shows how much of a speed-up comes from parallelism.
package cputime

import "time"

// Now returns the CPU time the process has used so far, or 0 where the
// platform gives none (Supported reports which).
func Now() time.Duration { return now() }

// Since returns the CPU time used since start, a value from Now.
func Since(start time.Duration) time.Duration { return now() - start }

// Supported reports whether Now measures anything on this platform.
func Supported() bool { return supported }
