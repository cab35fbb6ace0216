package awstest

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

var requestSeq atomic.Int64

func requestID() string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", requestSeq.Add(1))
}

// jsonOp checks an AWS JSON 1.x request (POST /, the Content-Type, a SigV4
// signature, X-Amz-Target <prefix>.<Op>) and returns the operation and its
// body. On a protocol error it has answered already.
func jsonOp(w http.ResponseWriter, r *http.Request, version string, prefixes ...string) (op string, body []byte, sc Scope, ok bool) {
	target := r.Header.Get("X-Amz-Target")
	for _, p := range prefixes {
		if op, ok = strings.CutPrefix(target, p+"."); ok {
			break
		}
	}
	ct := "application/x-amz-json-" + version
	switch {
	case !ok:
		jsonError(w, version, Fault{Status: 400, Code: "UnknownOperationException", Message: "X-Amz-Target " + target})
	case r.Method != http.MethodPost || r.URL.Path != "/":
		jsonError(w, version, Fault{Status: 404, Code: "UnknownOperationException", Message: r.Method + " " + r.URL.Path})
	case r.Header.Get("Content-Type") != ct:
		jsonError(w, version, Fault{Status: 400, Code: "SerializationException", Message: "Content-Type " + r.Header.Get("Content-Type")})
	default:
		if sc, ok = ScopeOf(r); !ok {
			jsonError(w, version, Fault{Status: 403, Code: "MissingAuthenticationTokenException", Message: "Missing Authentication Token"})
			return "", nil, sc, false
		}
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			jsonError(w, version, Fault{Status: 400, Code: "SerializationException", Message: err.Error()})
			return "", nil, sc, false
		}
		return op, body, sc, true
	}
	return "", nil, sc, false
}

// decodeJSON reads a request body, answering SerializationException on
// malformed input.
func decodeJSON(w http.ResponseWriter, version string, body []byte, v any) bool {
	if len(body) == 0 {
		body = []byte("{}")
	}
	if err := json.Unmarshal(body, v); err != nil {
		jsonError(w, version, Fault{Status: 400, Code: "SerializationException", Message: err.Error()})
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, version string, v any) {
	w.Header().Set("Content-Type", "application/x-amz-json-"+version)
	w.Header().Set("X-Amzn-Requestid", requestID())
	json.NewEncoder(w).Encode(v)
}

// jsonError answers {"__type": code, "message": msg} as the JSON protocols do.
func jsonError(w http.ResponseWriter, version string, f Fault) {
	if f.Status == 0 {
		f.Status = 400
	}
	w.Header().Set("Content-Type", "application/x-amz-json-"+version)
	w.Header().Set("X-Amzn-Requestid", requestID())
	if f.QueryCode != "" {
		w.Header().Set("X-Amzn-Query-Error", f.QueryCode+";Sender")
	}
	w.WriteHeader(f.Status)
	json.NewEncoder(w).Encode(map[string]string{"__type": f.Code, "message": f.Message})
}

// queryError answers the query protocol's <ErrorResponse>.
func queryError(w http.ResponseWriter, xmlns string, f Fault) {
	if f.Status == 0 {
		f.Status = 400
	}
	typ := "Sender"
	if f.Status >= 500 {
		typ = "Receiver"
	}
	type errBody struct {
		Type    string
		Code    string
		Message string
	}
	writeXML(w, f.Status, struct {
		XMLName   xml.Name `xml:"ErrorResponse"`
		Xmlns     string   `xml:"xmlns,attr"`
		Error     errBody
		RequestId string
	}{Xmlns: xmlns, Error: errBody{typ, f.Code, f.Message}, RequestId: requestID()})
}

func writeXML(w http.ResponseWriter, status int, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.Header().Set("Content-Length", strconv.Itoa(len(xml.Header)+len(b)))
	w.Header().Set("X-Amzn-Requestid", requestID())
	w.WriteHeader(status)
	io.WriteString(w, xml.Header)
	w.Write(b)
}
