package awstest

import "sync"

// Fault is an error a double answers instead of doing the call.
type Fault struct {
	Status  int    // HTTP status (default 400, 403 for access denied)
	Code    string // the error code ("AccessDeniedException", "ThrottlingException", …)
	Message string
	// QueryCode is the awsQuery-compatible code JSON services such as SQS
	// also send (X-Amzn-Query-Error: <QueryCode>;Sender), which the SDK
	// reports as the error code.
	QueryCode string
}

// Faults holds the calls a double fails on purpose, by operation name
// ("GetKeyPolicy", "GetObject", …). The zero value fails nothing.
type Faults struct {
	mu sync.Mutex
	m  map[string]Fault
}

// Fail makes every later op call answer f.
func (fs *Faults) Fail(op string, f Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if fs.m == nil {
		fs.m = map[string]Fault{}
	}
	fs.m[op] = f
}

// Clear makes op work again.
func (fs *Faults) Clear(op string) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	delete(fs.m, op)
}

func (fs *Faults) fault(op string) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	f, ok := fs.m[op]
	if ok && f.Status == 0 {
		f.Status = 400
	}
	return f, ok
}

// deniedMessage is how IAM words an identity-policy denial.
func deniedMessage(caller, action, resource string) string {
	if caller == "" {
		caller = "arn:aws:iam::000000000000:user/test"
	}
	if resource == "" {
		resource = "*"
	}
	return "User: " + caller + " is not authorized to perform: " + action + " on resource: " + resource +
		" because no identity-based policy allows the " + action + " action"
}
