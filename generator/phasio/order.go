package phasio

import "github.com/orderhooks/orderhooks/generator/decimal"

// Payment statuses of an order (paymentStatus).
const (
	PaymentUnpaid        = "UNPAID"
	PaymentPartiallyPaid = "PARTIALLY_PAID"
	PaymentConfirmed     = "CONFIRMED"
	PaymentPaid          = "PAID"
)

// Actor types (actorType): who triggered the event.
const (
	ActorCustomer     = "CUSTOMER"
	ActorManufacturer = "MANUFACTURER"
)

// Order is the Phasio order payload, a full-state snapshot.
type Order struct {
	OrderID                  int64     `json:"orderId"`
	ThreadID                 *int64    `json:"threadId"`
	QuoteNumber              string    `json:"quoteNumber"`
	OrderNumber              *string   `json:"orderNumber"` // null until the order is committed
	CustomerOrganisationID   int64     `json:"customerOrganisationId"`
	CustomerOrganisationName string    `json:"customerOrganisationName"`
	CreatedDate              string    `json:"createdDate"` // local date-time, "2025-06-15T10:30:00"
	KanbanColumnName         *string   `json:"kanbanColumnName"`
	KanbanColumnSequence     *int64    `json:"kanbanColumnSequence"`
	PaymentStatus            *string   `json:"paymentStatus"`
	ActorType                *string   `json:"actorType"`
	CustomReference          *string   `json:"customReference"`
	Parts                    []Part    `json:"parts"`
	Expenses                 []Expense `json:"expenses"`
	Pricing                  Pricing   `json:"pricing"`
	Shipping                 *Shipping `json:"shipping"` // null when no shipping is configured
}

// Part is one manufactured part. Measurements are in millimetres (mm, mm²,
// mm³).
type Part struct {
	ID                   int64            `json:"id"`
	SpecificationID      string           `json:"specificationId"`
	Name                 string           `json:"name"`
	Technology           string           `json:"technology"`
	Material             string           `json:"material"`
	Quantity             int64            `json:"quantity"`
	PricePerPart         decimal.Decimal  `json:"pricePerPart"`
	Color                *string          `json:"color"`
	Infill               *string          `json:"infill"` // "20%", FDM only
	Precision            *string          `json:"precision"`
	Volume               *decimal.Decimal `json:"volume"`
	Area                 *decimal.Decimal `json:"area"`
	Width                *decimal.Decimal `json:"width"`
	Height               *decimal.Decimal `json:"height"`
	Depth                *decimal.Decimal `json:"depth"`
	MinBoundingBoxVolume *decimal.Decimal `json:"minBoundingBoxVolume"`
	MinimumWallThickness *decimal.Decimal `json:"minimumWallThickness"`
	ConvexHullVolume     *decimal.Decimal `json:"convexHullVolume"`
	ShrinkWrapVolume     *decimal.Decimal `json:"shrinkWrapVolume"`
	PostProcessings      []PostProcessing `json:"postProcessings"`
	ProductionSteps      []ProductionStep `json:"productionSteps"`
}

// PostProcessing is a finishing operation; Price is per unit.
type PostProcessing struct {
	Name  string          `json:"name"`
	Price decimal.Decimal `json:"price"`
}

// ProductionStep is one step of a part's workflow, numbered from 1.
type ProductionStep struct {
	Name     string `json:"name"`
	Sequence int64  `json:"sequence"`
}

// Expense is an additional charge on the order.
type Expense struct {
	ID    int64           `json:"id"`
	Name  string          `json:"name"`
	Price decimal.Decimal `json:"price"`
}

// Pricing is the order's price breakdown (see the package doc for how the
// amounts relate).
type Pricing struct {
	Currency           string           `json:"currency"`
	TotalPrice         *decimal.Decimal `json:"totalPrice"`
	TotalLocalPrice    *decimal.Decimal `json:"totalLocalPrice"`
	ShippingFee        decimal.Decimal  `json:"shippingFee"`
	TaxPercentage      decimal.Decimal  `json:"taxPercentage"`
	TaxAmount          decimal.Decimal  `json:"taxAmount"`
	ApplyTaxToShipping bool             `json:"applyTaxToShipping"`
	DiscountPercentage *decimal.Decimal `json:"discountPercentage"`
	PaymentDueDate     string           `json:"paymentDueDate"` // "2025-07-15"
	TopUpAmount        *decimal.Decimal `json:"topUpAmount"`
}

// Shipping is the shipping method and delivery address.
type Shipping struct {
	ShippingMethod string   `json:"shippingMethod"`
	Address        *Address `json:"address"`
}

// Address is a delivery address; Country is ISO 3166-1 alpha-2.
type Address struct {
	ID          *string `json:"id"`
	Street1     *string `json:"street1"`
	Street2     *string `json:"street2"`
	City        *string `json:"city"`
	State       *string `json:"state"`
	Country     *string `json:"country"`
	Zip         *string `json:"zip"`
	Name        *string `json:"name"`
	Phone       *string `json:"phone"`
	Email       *string `json:"email"`
	Residential bool    `json:"residential"`
}
