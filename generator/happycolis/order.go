package happycolis

import (
	"encoding/json"
	"time"

	"github.com/orderhooks/orderhooks/generator/decimal"
)

// Order states (body.state).
const (
	StateDraft     = "DRAFT"
	StateOpened    = "OPENED"
	StateCompleted = "COMPLETED"
)

// Line statuses (lines[].status).
const (
	LinePending    = "PENDING"
	LineAccepted   = "ACCEPTED"
	LineInProgress = "IN_PROGRESS"
	LineFulfilled  = "FULFILLED"
	LineDelivered  = "DELIVERED"
	LineCanceled   = "CANCELED"
)

// Envelope is one HappyColis webhook message.
type Envelope struct {
	Header Header `json:"header"`
	Body   Order  `json:"body"`
}

// Header identifies the message; a redelivery keeps MessageID.
type Header struct {
	OrganizationID string    `json:"organizationId"`
	MessageID      string    `json:"messageId"`
	WebhookID      string    `json:"webhookId"`
	Type           string    `json:"type"` // order/created, order/updated, …
	Date           time.Time `json:"date"`
}

// Order is the order body, a full-state snapshot. Buyer, BillingContact and
// DeliveryContact are always present; Seller may be nil.
type Order struct {
	ID                     string           `json:"id"`
	ExternalReference      string           `json:"externalReference"`
	OrganizationID         string           `json:"organizationId"`
	TpAppID                string           `json:"tpAppId"`
	ShippingMethodID       string           `json:"shippingMethodId"`
	ShippingMethodName     string           `json:"shippingMethodName"`
	CollectPointID         *string          `json:"collectPointId"`
	CollectPointCountry    *string          `json:"collectPointCountry"`
	CollectPointZipCode    *string          `json:"collectPointZipCode"`
	Type                   string           `json:"type"`            // B2B, B2C
	DispatchingType        string           `json:"dispatchingType"` // AUTOMATIC, MANUAL
	Total                  decimal.Decimal  `json:"total"`
	TotalTaxInclusive      decimal.Decimal  `json:"totalTaxInclusive"`
	TotalShipping          decimal.Decimal  `json:"totalShipping"`
	TotalDiscount          decimal.Decimal  `json:"totalDiscount"`
	TotalVat               decimal.Decimal  `json:"totalVat"`
	TotalInsurance         *decimal.Decimal `json:"totalInsurance"`
	Currency               string           `json:"currency"`
	InvoiceNumber          string           `json:"invoiceNumber"`
	InvoiceURL             string           `json:"invoiceUrl"`
	Gift                   bool             `json:"gift"`
	InventoryPolicy        string           `json:"inventoryPolicy"` // DENY, ALLOW, SKIP, ADJUST
	IssuedAt               time.Time        `json:"issuedAt"`
	PrepareAt              *time.Time       `json:"prepareAt"`
	ReceivedAt             time.Time        `json:"receivedAt"`
	FulfillmentRequestedAt *time.Time       `json:"fulfillmentRequestedAt"`
	Buyer                  *Contact         `json:"buyer"`
	BillingContact         *Contact         `json:"billingContact"`
	DeliveryContact        *Contact         `json:"deliveryContact"`
	Seller                 *Contact         `json:"seller"`
	Comment                *string          `json:"comment"`
	Meta                   json.RawMessage  `json:"meta"`
	State                  string           `json:"state"`    // DRAFT, OPENED, COMPLETED
	Priority               string           `json:"priority"` // LOW, NORMAL, HIGH
	Locked                 bool             `json:"locked"`
	Opening                bool             `json:"opening"`
	SourceType             string           `json:"sourceType"`
	DeliveryType           string           `json:"deliveryType"`
	Lines                  []Line           `json:"lines"`
}

// Contact is a buyer, billing, delivery or seller contact.
type Contact struct {
	ID                string           `json:"id"`
	Type              string           `json:"type"` // PERSON, COMPANY
	OrganizationID    string           `json:"organizationId"`
	Fullname          string           `json:"fullname"`
	Email             string           `json:"email"`
	Address           string           `json:"address"`
	AddressComplement string           `json:"addressComplement"` // "" when there is none
	Zipcode           string           `json:"zipcode"`
	Country           string           `json:"country"`
	City              string           `json:"city"`
	State             *string          `json:"state"`
	Phone             string           `json:"phone"`
	Comments          *string          `json:"comments"`
	Metadata          json.RawMessage  `json:"metadata"`
	TaxID             *string          `json:"taxId"`
	Eori              *string          `json:"eori"`
	Form              *string          `json:"form"`
	Capital           *decimal.Decimal `json:"capital"`
	CompanyID         *string          `json:"companyId"`
	Registration      *string          `json:"registration"`
}

// Line is one order line; amounts follow the package's totals formula.
type Line struct {
	ID                  string          `json:"id"`
	OrderID             string          `json:"orderId"`
	Status              string          `json:"status"`
	Label               string          `json:"label"`
	SKU                 string          `json:"sku"`
	Price               decimal.Decimal `json:"price"`
	VatRate             decimal.Rate    `json:"vatRate"`
	Total               decimal.Decimal `json:"total"`
	TotalTaxInclusive   decimal.Decimal `json:"totalTaxInclusive"`
	FulfillableQuantity int64           `json:"fulfillableQuantity"`
	Quantity            int64           `json:"quantity"`
	FulfilledQuantity   int64           `json:"fulfilledQuantity"`
	Meta                json.RawMessage `json:"meta"`
	LocationID          string          `json:"locationId"`
	ShippingMethodID    *string         `json:"shippingMethodId"`
	Number              string          `json:"number"`
}
