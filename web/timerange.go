package web

import (
	"errors"
	"fmt"
	"time"

	"github.com/cairn-sec/cairn/search"
)

// timeRange resolves a request's from, to and last with the same syntax
// as cairn search's flags. last ("24h", "7d") means from now-last with no
// upper bound; from and to are RFC 3339 times, dates (UTC), "now", or
// relative to now ("-15m", "now-2h"). Zero times mean unbounded.
func timeRange(from, to, last string, now time.Time) (time.Time, time.Time, error) {
	var f, t time.Time
	if last != "" {
		if from != "" || to != "" {
			return f, t, errors.New("give either last or from/to, not both")
		}
		d, err := search.ParseDuration(last)
		if err != nil {
			return f, t, fmt.Errorf("last: %w", err)
		}
		return now.Add(-d), t, nil
	}
	var err error
	if from != "" {
		if f, err = search.ParseTime(from, now); err != nil {
			return f, t, fmt.Errorf("from: %w", err)
		}
	}
	if to != "" {
		if t, err = search.ParseTime(to, now); err != nil {
			return f, t, fmt.Errorf("to: %w", err)
		}
	}
	if !f.IsZero() && !t.IsZero() && !f.Before(t) {
		return f, t, errors.New("from must be before to")
	}
	return f, t, nil
}
