package generator

// technology is one manufacturing process with what belongs to it: its
// materials (each with the finishes that suit it), build volume, minimum
// wall, workflow steps and how its parts are priced.
type technology struct {
	name      string
	materials []material
	// colors is the palette when the material has no own colour; nil means
	// the part has no colour (metals).
	colors []string
	// infills is non-nil only for technologies with an infill (FDM).
	infills    []string
	precisions []string
	maxDim     float64 // mm, largest build dimension
	minWall    float64 // mm, thinnest printable or machinable wall
	fill       [2]float64
	maxQty     int64
	before     []string // production steps before finishing
	after      []string // production steps after finishing
	// pricing, in euros: material cost per cm³ comes from the material;
	// machine cost per cm³ of bounding box (printing) or of removed stock
	// (machining), a fixed handling cost per part and a batch setup cost
	// spread over the quantity.
	perBoxCm3, handling, setup float64
}

type material struct {
	name     string
	perCm3   float64  // euros per cm³ of part volume
	colors   []string // the material's own colours (resins, filaments); nil: the technology's
	finishes []finish
	// certified materials come with a material certificate expense option.
	certified bool
}

// finish is a post-processing. Finishes in the same group exclude each other
// (one coating, one colour process); a part lists them in catalogue order.
type finish struct {
	name   string
	group  string
	base   float64 // euros per unit
	perCm2 float64 // euros per cm² of surface
	color  string  // the colour the finish gives the part, if any
}

var (
	beadBlast    = finish{name: "Bead Blasting", group: "blast", base: 2, perCm2: 0.01}
	anodize      = finish{name: "Anodizing", group: "coat", base: 3, perCm2: 0.02}
	hardAnodize  = finish{name: "Hard Anodizing", group: "coat", base: 6, perCm2: 0.035}
	powderCoat   = finish{name: "Powder Coating", group: "coat", base: 4, perCm2: 0.025}
	passivate    = finish{name: "Passivation", group: "coat", base: 2.5, perCm2: 0.01}
	electropol   = finish{name: "Electropolishing", group: "coat", base: 5, perCm2: 0.03}
	blackOxide   = finish{name: "Black Oxide", group: "coat", base: 2, perCm2: 0.012}
	zincPlate    = finish{name: "Zinc Plating", group: "coat", base: 2.5, perCm2: 0.015}
	polish       = finish{name: "Polishing", group: "polish", base: 4, perCm2: 0.04}
	nickelPlate  = finish{name: "Nickel Plating", group: "coat", base: 4.5, perCm2: 0.03}
	dye          = finish{name: "Dyeing", group: "color", base: 1.5, perCm2: 0.004, color: "Black"}
	vaporSmooth  = finish{name: "Vapor Smoothing", group: "smooth", base: 4, perCm2: 0.015}
	tumble       = finish{name: "Tumbling", group: "smooth", base: 1, perCm2: 0.003}
	sand         = finish{name: "Sanding", group: "sand", base: 3, perCm2: 0.03}
	prime        = finish{name: "Priming", group: "prime", base: 2, perCm2: 0.02}
	paint        = finish{name: "Painting", group: "paint", base: 5, perCm2: 0.04}
	threadInsert = finish{name: "Threaded Inserts", group: "insert", base: 1.2}
	machineFin   = finish{name: "CNC Finishing", group: "machine", base: 15, perCm2: 0.05}
	hip          = finish{name: "Hot Isostatic Pressing", group: "hip", base: 12, perCm2: 0.01}
	heatTreat    = finish{name: "Heat Treatment", group: "hip", base: 8}
)

var technologies = []*technology{
	{
		name: "CNC Machining", precisions: []string{"Standard", "High"},
		maxDim: 400, minWall: 0.8, fill: [2]float64{0.25, 0.9}, maxQty: 500,
		before: []string{"Machining", "Deburring"}, after: []string{"Quality Check"},
		perBoxCm3: 0.06, handling: 4, setup: 45,
		materials: []material{
			{name: "Aluminum 6061", perCm3: 0.02, certified: true, finishes: []finish{beadBlast, anodize, hardAnodize, powderCoat}},
			{name: "Aluminum 7075", perCm3: 0.035, certified: true, finishes: []finish{beadBlast, anodize, hardAnodize}},
			{name: "Stainless Steel 304", perCm3: 0.06, certified: true, finishes: []finish{beadBlast, passivate, electropol}},
			{name: "Stainless Steel 316L", perCm3: 0.075, certified: true, finishes: []finish{beadBlast, passivate, electropol}},
			{name: "Steel 1018", perCm3: 0.03, certified: true, finishes: []finish{beadBlast, blackOxide, zincPlate, powderCoat}},
			{name: "Brass C360", perCm3: 0.09, finishes: []finish{polish, nickelPlate}},
			{name: "POM (Delrin)", perCm3: 0.012, finishes: nil},
		},
	},
	{
		name: "SLS", precisions: []string{"Standard"}, colors: []string{"White"},
		maxDim: 320, minWall: 0.8, fill: [2]float64{0.08, 0.5}, maxQty: 1000,
		before: []string{"Printing", "Depowdering"}, after: []string{"Quality Check"},
		perBoxCm3: 0.012, handling: 2.5, setup: 0,
		materials: []material{
			{name: "PA12 Nylon", perCm3: 0.09, finishes: []finish{beadBlast, dye, vaporSmooth, threadInsert}},
			{name: "PA11 Nylon", perCm3: 0.11, finishes: []finish{beadBlast, dye, vaporSmooth}},
			{name: "PA12 Glass Filled", perCm3: 0.12, colors: []string{"Grey"}, finishes: []finish{beadBlast, threadInsert}},
			{name: "TPU 88A", perCm3: 0.14, finishes: []finish{dye, vaporSmooth}},
		},
	},
	{
		name: "MJF", precisions: []string{"Standard"}, colors: []string{"Grey"},
		maxDim: 370, minWall: 0.8, fill: [2]float64{0.08, 0.5}, maxQty: 1000,
		before: []string{"Printing", "Cooling", "Depowdering"}, after: []string{"Quality Check"},
		perBoxCm3: 0.01, handling: 2, setup: 0,
		materials: []material{
			{name: "PA12 Nylon", perCm3: 0.08, finishes: []finish{beadBlast, dye, vaporSmooth, threadInsert}},
			{name: "PA11 Nylon", perCm3: 0.1, finishes: []finish{beadBlast, dye, vaporSmooth}},
			{name: "TPU", perCm3: 0.13, colors: []string{"White"}, finishes: []finish{dye, tumble}},
		},
	},
	{
		name: "FDM", precisions: []string{"Standard", "High"},
		infills: []string{"15%", "20%", "30%", "50%", "80%", "100%"},
		colors:  []string{"Black", "White", "Grey", "Red", "Blue", "Orange", "Natural"},
		maxDim:  300, minWall: 1.2, fill: [2]float64{0.1, 0.6}, maxQty: 50,
		before: []string{"Printing", "Support Removal"}, after: []string{"Quality Check"},
		perBoxCm3: 0.004, handling: 1.5, setup: 0,
		materials: []material{
			{name: "PLA", perCm3: 0.03, finishes: []finish{sand, prime, paint, threadInsert}},
			{name: "ABS", perCm3: 0.035, finishes: []finish{sand, vaporSmooth, prime, paint, threadInsert}},
			{name: "PETG", perCm3: 0.04, finishes: []finish{sand, threadInsert}},
			{name: "ASA", perCm3: 0.045, finishes: []finish{sand, prime, paint}},
		},
	},
	{
		name: "SLA", precisions: []string{"Standard", "High"},
		maxDim: 145, minWall: 0.6, fill: [2]float64{0.1, 0.7}, maxQty: 100,
		before: []string{"Printing", "Washing", "UV Curing", "Support Removal"}, after: []string{"Quality Check"},
		perBoxCm3: 0.02, handling: 3, setup: 0,
		materials: []material{
			{name: "Standard Resin", perCm3: 0.18, colors: []string{"Grey", "White", "Black"}, finishes: []finish{sand, prime, paint}},
			{name: "Tough Resin", perCm3: 0.25, colors: []string{"Grey"}, finishes: []finish{sand, threadInsert}},
			{name: "Clear Resin", perCm3: 0.22, colors: []string{"Clear"}, finishes: []finish{sand, polish}},
			{name: "High Temp Resin", perCm3: 0.35, colors: []string{"Amber"}, finishes: []finish{sand}},
		},
	},
	{
		name: "DMLS", precisions: []string{"Standard", "High"},
		maxDim: 250, minWall: 0.5, fill: [2]float64{0.08, 0.45}, maxQty: 20,
		before: []string{"Printing", "Stress Relief", "Support Removal"}, after: []string{"Quality Check"},
		perBoxCm3: 0.09, handling: 25, setup: 60,
		materials: []material{
			{name: "Ti6Al4V", perCm3: 1.6, certified: true, finishes: []finish{beadBlast, hip, machineFin, polish}},
			{name: "AlSi10Mg", perCm3: 0.7, certified: true, finishes: []finish{beadBlast, heatTreat, machineFin}},
			{name: "Stainless Steel 316L", perCm3: 0.9, certified: true, finishes: []finish{beadBlast, machineFin, polish}},
		},
	},
}

var technologyByName = func() map[string]*technology {
	m := make(map[string]*technology, len(technologies))
	for _, t := range technologies {
		m[t.name] = t
	}
	return m
}()

// partNouns and partQualifiers make part names like "Sensor Housing".
var (
	partNouns      = []string{"Bracket", "Housing", "Cover", "Enclosure", "Lid", "Shaft Adapter", "Clip", "Hinge Plate", "Manifold", "Heat Sink", "Impeller", "Nozzle", "Spacer", "Knob", "Grip", "Valve Body", "End Cap", "Fixture", "Mount", "Gear", "Pulley", "Flange", "Bushing", "Frame", "Panel"}
	partQualifiers = []string{"Mounting", "Sensor", "Motor", "Battery", "Camera", "Pump", "Fan", "Cable", "Display", "Drive", "Gearbox", "Bearing", "Control", "Valve", "Antenna", "Prototype", "Main", "Upper", "Lower", "Side"}
	revisions      = []string{"A", "B", "C", "D", "E"}
)

// expenseKinds are the order-level charges a manufacturer adds, in euros.
var expenseKinds = []struct {
	name      string
	lo, hi    float64
	cnc, cert bool // only with machining / with certified materials
}{
	{name: "Setup Fee", lo: 25, hi: 150, cnc: true},
	{name: "Tooling", lo: 60, hi: 400, cnc: true},
	{name: "Express Surcharge", lo: 30, hi: 250},
	{name: "Certificate of Conformity", lo: 15, hi: 40},
	{name: "Material Certificate", lo: 25, hi: 60, cert: true},
	{name: "Packaging", lo: 5, hi: 30},
	{name: "Design Review", lo: 40, hi: 120},
}

// DefaultKanban returns the Kanban board orders move through unless
// WithKanban or the scenario sets another: New Orders 1, In Progress 2,
// Quality Check 3, Shipped 4, Completed 5.
func DefaultKanban() []KanbanColumn {
	return []KanbanColumn{
		{Name: "New Orders", Sequence: 1},
		{Name: "In Progress", Sequence: 2},
		{Name: "Quality Check", Sequence: 3},
		{Name: "Shipped", Sequence: 4},
		{Name: "Completed", Sequence: 5},
	}
}

// KanbanColumn is one column of a manufacturer's Kanban board.
type KanbanColumn struct {
	Name     string `json:"name" yaml:"name"`
	Sequence int64  `json:"sequence" yaml:"sequence"`
}
