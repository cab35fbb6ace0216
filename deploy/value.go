package deploy

// The neutral value tree shared by both renderers. Policy documents and a
// few properties are written once with these types:
//
//   - Obj: an ordered object (keys keep their order in both outputs)
//   - List: a list
//   - Sub: a string with ${Token} placeholders (see tokens.go)
//   - string, int, bool: literals, emitted as they are

// KV is one key of an Obj.
type KV struct {
	K string
	V any
}

// Obj is an ordered object.
type Obj []KV

// List is a list of values.
type List []any

// Sub is a string in which ${Name} stands for a token.
type Sub string

// obj builds an Obj from alternating keys and values.
func obj(kv ...any) Obj {
	if len(kv)%2 != 0 {
		panic("deploy: obj needs key/value pairs")
	}
	o := make(Obj, 0, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		o = append(o, KV{kv[i].(string), kv[i+1]})
	}
	return o
}

// list builds a List.
func list(v ...any) List { return List(v) }
