package cairn

// AlertDrift: cairn watch found (or repaired) drift in the AWS wiring
// Cairn created — a stopped trail, a removed subscription, a lost policy
// statement.
const AlertDrift AlertKind = "drift"
