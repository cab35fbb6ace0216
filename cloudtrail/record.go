package cloudtrail

import (
	"encoding/json"
)

// record holds the CloudTrail fields the normalizer reads. Nested JSON that
// is stored as-is is kept raw.
type record struct {
	EventVersion        string          `json:"eventVersion"`
	EventTime           string          `json:"eventTime"`
	EventSource         string          `json:"eventSource"`
	EventName           string          `json:"eventName"`
	AwsRegion           string          `json:"awsRegion"`
	SourceIPAddress     string          `json:"sourceIPAddress"`
	UserAgent           string          `json:"userAgent"`
	ErrorCode           string          `json:"errorCode"`
	ErrorMessage        string          `json:"errorMessage"`
	EventID             string          `json:"eventID"`
	EventType           string          `json:"eventType"`
	ReadOnly            *bool           `json:"readOnly"`
	RecipientAccountID  string          `json:"recipientAccountId"`
	UserIdentity        userIdentity    `json:"userIdentity"`
	RequestParameters   json.RawMessage `json:"requestParameters"`
	ResponseElements    json.RawMessage `json:"responseElements"`
	AdditionalEventData json.RawMessage `json:"additionalEventData"`
	Resources           json.RawMessage `json:"resources"`
	InsightDetails      *insightDetails `json:"insightDetails"`
}

// insightDetails names the API an Insights event is about; Insights
// records have no top-level eventName or eventSource.
type insightDetails struct {
	EventSource string `json:"eventSource"`
	EventName   string `json:"eventName"`
}

type userIdentity struct {
	Type             string         `json:"type"`
	PrincipalID      string         `json:"principalId"`
	ARN              string         `json:"arn"`
	AccountID        string         `json:"accountId"`
	AccessKeyID      string         `json:"accessKeyId"`
	UserName         string         `json:"userName"`
	InvokedBy        string         `json:"invokedBy"`
	IdentityProvider string         `json:"identityProvider"`
	SessionContext   sessionContext `json:"sessionContext"`
	OnBehalfOf       struct {
		UserID string `json:"userId"`
	} `json:"onBehalfOf"`
}

type sessionContext struct {
	SessionIssuer struct {
		Type     string `json:"type"`
		ARN      string `json:"arn"`
		UserName string `json:"userName"`
	} `json:"sessionIssuer"`
	Attributes struct {
		MFAAuthenticated string `json:"mfaAuthenticated"`
	} `json:"attributes"`
	WebIDFederationData struct {
		FederatedProvider string `json:"federatedProvider"`
	} `json:"webIdFederationData"`
}

// consoleLogin reads the outcome fields of a ConsoleLogin event.
type consoleLoginResponse struct {
	ConsoleLogin string `json:"ConsoleLogin"`
}

type consoleLoginData struct {
	MFAUsed string `json:"MFAUsed"`
}
