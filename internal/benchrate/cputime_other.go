//go:build !unix

package benchrate

import "time"

func cpuTime() time.Duration { return 0 }
