package awstest

import (
	"io"
	"net/http"
	"net/url"
)

const stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// STSHandler answers STS GetCallerIdentity for the IAM double's access
// keys: the user whose active key signed the request (a key still
// propagating is refused with InvalidClientTokenId, as STS does right after
// CreateAccessKey).
func (i *IAM) STSHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			qpError(w, stsNamespace, http.StatusBadRequest, "Sender", "InvalidRequest", err.Error())
			return
		}
		form, _ := url.ParseQuery(string(body))
		var who Identity
		_, aerr := checkSignature(r, body, "sts", func(id string) (string, bool) {
			ident, secret, ok := i.Authenticate(id, "sts")
			who = ident
			return secret, ok
		})
		if aerr != nil {
			qpError(w, stsNamespace, http.StatusForbidden, "Sender", aerr.Code, aerr.Message)
			return
		}
		if form.Get("Action") != "GetCallerIdentity" {
			qpError(w, stsNamespace, http.StatusBadRequest, "Sender", "InvalidAction", "Could not find operation "+form.Get("Action"))
			return
		}
		qpResult(w, stsNamespace, "GetCallerIdentity", "<Arn>"+xmlEsc(who.ARN)+"</Arn><UserId>"+who.UserID+"</UserId><Account>"+who.Account+"</Account>")
	})
}
