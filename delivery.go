package cairn

import "time"

// AlertDelivery is the delivery state of one alert to one output.
type AlertDelivery struct {
	AlertID     string
	Output      string    // the output's configured name
	Attempts    int       // failed attempts since the last success
	NextAttempt time.Time // not before this
	DeliveredAt time.Time // last successful delivery; zero: never
	LastError   string    // of the last failed attempt
	// What the last successful delivery carried, for the re-send policy.
	SentSeverity string
	SentCount    int64
}

// DueAlert is an alert an output should be sent now, with the state of its
// earlier deliveries (zero for a first delivery).
type DueAlert struct {
	Alert    Alert
	Delivery AlertDelivery
	Sample   map[string]string // a few fields of the alert's first sample event, if stored
}

// DeliveryQuery selects the alerts due for one output.
type DeliveryQuery struct {
	Output      string
	MinSeverity string    // this severity and above ("" = all)
	Now         time.Time // attempts scheduled up to now are due
	// ResendAfter: a delivered, not closed alert whose count grew is sent
	// again once this long has passed since its last delivery; 0 never.
	// A delivered alert whose severity rose is always sent again.
	ResendAfter time.Duration
	// MaxAge: alerts never attempted are only sent if updated within this
	// long (so a new output does not replay the whole history); 0 = 24h.
	MaxAge time.Duration
	Limit  int // at most this many, oldest first; 0 = 100
}
