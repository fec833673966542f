package main

import (
	"encoding/json"
	"time"
)

// Envelope is a HappyColis webhook message: a header naming the event and
// the full state of the order in body.
type Envelope struct {
	Header Header `json:"header"`
	Body   Order  `json:"body"`
}

// Header identifies the message. A redelivery keeps MessageID; Date orders
// snapshots of the same order.
type Header struct {
	OrganizationID string    `json:"organizationId"`
	MessageID      string    `json:"messageId"`
	WebhookID      string    `json:"webhookId"`
	Type           string    `json:"type"` // order/created, order/updated, order/opened, order/completed, order/cancelled
	Date           time.Time `json:"date"`
}

// Order is the order body shared by every order/* event. Fields the
// documentation shows only as null are kept as raw JSON.
type Order struct {
	ID                     string          `json:"id"`
	ExternalReference      *string         `json:"externalReference"`
	OrganizationID         string          `json:"organizationId"`
	TpAppID                *string         `json:"tpAppId"`
	ShippingMethodID       *string         `json:"shippingMethodId"`
	ShippingMethodName     *string         `json:"shippingMethodName"`
	CollectPointID         *string         `json:"collectPointId"`
	CollectPointCountry    *string         `json:"collectPointCountry"`
	CollectPointZipCode    *string         `json:"collectPointZipCode"`
	Type                   string          `json:"type"`
	DispatchingType        string          `json:"dispatchingType"`
	Total                  float64         `json:"total"`
	TotalTaxInclusive      float64         `json:"totalTaxInclusive"`
	TotalShipping          float64         `json:"totalShipping"`
	TotalDiscount          float64         `json:"totalDiscount"`
	TotalVat               float64         `json:"totalVat"`
	TotalInsurance         *float64        `json:"totalInsurance"`
	Currency               string          `json:"currency"`
	InvoiceNumber          *string         `json:"invoiceNumber"`
	InvoiceURL             *string         `json:"invoiceUrl"`
	Gift                   bool            `json:"gift"`
	InventoryPolicy        string          `json:"inventoryPolicy"`
	IssuedAt               *time.Time      `json:"issuedAt"`
	PrepareAt              *time.Time      `json:"prepareAt"`
	ReceivedAt             *time.Time      `json:"receivedAt"`
	FulfillmentRequestedAt *time.Time      `json:"fulfillmentRequestedAt"`
	Buyer                  *Contact        `json:"buyer"`
	BillingContact         *Contact        `json:"billingContact"`
	DeliveryContact        *Contact        `json:"deliveryContact"`
	Seller                 *Contact        `json:"seller"`
	Comment                *string         `json:"comment"`
	Meta                   json.RawMessage `json:"meta"`
	State                  string          `json:"state"`    // DRAFT, OPENED, COMPLETED
	Priority               string          `json:"priority"` // LOW, NORMAL, HIGH
	Locked                 bool            `json:"locked"`
	Opening                bool            `json:"opening"`
	SourceType             string          `json:"sourceType"`
	DeliveryType           string          `json:"deliveryType"`
	Lines                  []Line          `json:"lines"`
}

// Contact is a buyer, billing, delivery or seller contact.
type Contact struct {
	ID                string          `json:"id"`
	Type              string          `json:"type"`
	OrganizationID    string          `json:"organizationId"`
	Fullname          *string         `json:"fullname"`
	Email             *string         `json:"email"`
	Address           *string         `json:"address"`
	AddressComplement *string         `json:"addressComplement"`
	Zipcode           *string         `json:"zipcode"`
	Country           *string         `json:"country"`
	City              *string         `json:"city"`
	State             *string         `json:"state"`
	Phone             *string         `json:"phone"`
	Comments          *string         `json:"comments"`
	Metadata          json.RawMessage `json:"metadata"`
	TaxID             *string         `json:"taxId"`
	Eori              *string         `json:"eori"`
	Form              *string         `json:"form"`
	Capital           json.RawMessage `json:"capital"`
	CompanyID         *string         `json:"companyId"`
	Registration      *string         `json:"registration"`
}

// Line is one order line.
type Line struct {
	ID                  string          `json:"id"`
	OrderID             string          `json:"orderId"`
	Status              string          `json:"status"` // PENDING, ACCEPTED, IN_PROGRESS, FULFILLED, DELIVERED, CANCELED
	Label               string          `json:"label"`
	SKU                 string          `json:"sku"`
	Price               float64         `json:"price"`
	VatRate             float64         `json:"vatRate"`
	Total               float64         `json:"total"`
	TotalTaxInclusive   float64         `json:"totalTaxInclusive"`
	FulfillableQuantity int64           `json:"fulfillableQuantity"`
	Quantity            int64           `json:"quantity"`
	FulfilledQuantity   int64           `json:"fulfilledQuantity"`
	Meta                json.RawMessage `json:"meta"`
	LocationID          *string         `json:"locationId"`
	ShippingMethodID    *string         `json:"shippingMethodId"`
	Number              string          `json:"number"`
}
