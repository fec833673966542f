package main

// Order is the decrypted Phasio order payload shared by Order Created,
// Order Updated and Quote Converted. Nullable fields are pointers. The
// field list follows Phasio's "Order Created" webhook documentation.
type Order struct {
	OrderID                  int64     `json:"orderId"`
	ThreadID                 *int64    `json:"threadId"`
	QuoteNumber              string    `json:"quoteNumber"`
	OrderNumber              *string   `json:"orderNumber"`
	CustomerOrganisationID   int64     `json:"customerOrganisationId"`
	CustomerOrganisationName string    `json:"customerOrganisationName"`
	CreatedDate              string    `json:"createdDate"`
	KanbanColumnName         *string   `json:"kanbanColumnName"`
	KanbanColumnSequence     *int64    `json:"kanbanColumnSequence"`
	PaymentStatus            *string   `json:"paymentStatus"`
	ActorType                *string   `json:"actorType"`
	CustomReference          *string   `json:"customReference"`
	Parts                    []Part    `json:"parts"`
	Expenses                 []Expense `json:"expenses"`
	Pricing                  Pricing   `json:"pricing"`
	Shipping                 *Shipping `json:"shipping"`
}

// Part is one manufactured part of an order.
type Part struct {
	ID                   int64            `json:"id"`
	SpecificationID      string           `json:"specificationId"`
	Name                 string           `json:"name"`
	Technology           string           `json:"technology"`
	Material             string           `json:"material"`
	Quantity             int64            `json:"quantity"`
	PricePerPart         float64          `json:"pricePerPart"`
	Color                *string          `json:"color"`
	Infill               *string          `json:"infill"`
	Precision            *string          `json:"precision"`
	Volume               *float64         `json:"volume"`
	Area                 *float64         `json:"area"`
	Width                *float64         `json:"width"`
	Height               *float64         `json:"height"`
	Depth                *float64         `json:"depth"`
	MinBoundingBoxVolume *float64         `json:"minBoundingBoxVolume"`
	MinimumWallThickness *float64         `json:"minimumWallThickness"`
	ConvexHullVolume     *float64         `json:"convexHullVolume"`
	ShrinkWrapVolume     *float64         `json:"shrinkWrapVolume"`
	PostProcessings      []PostProcessing `json:"postProcessings"`
	ProductionSteps      []ProductionStep `json:"productionSteps"`
}

// PostProcessing is a finishing operation on a part.
type PostProcessing struct {
	Name  string  `json:"name"`
	Price float64 `json:"price"`
}

// ProductionStep is one step of a part's production workflow (1-based).
type ProductionStep struct {
	Name     string `json:"name"`
	Sequence int64  `json:"sequence"`
}

// Expense is an additional charge on the order.
type Expense struct {
	ID    int64   `json:"id"`
	Name  string  `json:"name"`
	Price float64 `json:"price"`
}

// Pricing is the order's price breakdown.
type Pricing struct {
	Currency           string   `json:"currency"`
	TotalPrice         *float64 `json:"totalPrice"`
	TotalLocalPrice    *float64 `json:"totalLocalPrice"`
	ShippingFee        float64  `json:"shippingFee"`
	TaxPercentage      float64  `json:"taxPercentage"`
	TaxAmount          float64  `json:"taxAmount"`
	ApplyTaxToShipping bool     `json:"applyTaxToShipping"`
	DiscountPercentage *float64 `json:"discountPercentage"`
	PaymentDueDate     string   `json:"paymentDueDate"`
	TopUpAmount        *float64 `json:"topUpAmount"`
}

// Shipping is the order's shipping method and address.
type Shipping struct {
	ShippingMethod string   `json:"shippingMethod"`
	Address        *Address `json:"address"`
}

// Address is a delivery address.
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
