// Validates JSON instances with Ajv (draft 2020-12, formats asserted), the
// second validator of the schemagen tests. Input on stdin, one JSON value a
// line: first {"documents": {"URI": document, ...}}, then any number of
// checks {"schema": "URI#/json/pointer", "instances": [value, ...]}. Each
// check is validated as soon as its line is read, so the writer generates
// the next while this one is checked, and memory stays bounded by a line.
// Output on stdout once stdin ends:
//   {"failures": [{"check": i, "instance": j, "errors": "...", "text": "..."}],
//    "checked": n}
// (text: the start of the failing instance). Exit 0 when the run worked
// (failures are data), 1 on a setup problem.
import Ajv2020 from "ajv/dist/2020.js";
import Ajv07 from "ajv";
import addFormats from "ajv-formats";
import { createInterface } from "node:readline";

const options = {
  strict: false,
  allErrors: false,
  validateSchema: false,
  validateFormats: true,
  logger: false,
  // Ajv divides in floating point, so 18.63 is no multiple of 0.01 to it
  // without a tolerance; JSON Schema means exact decimal arithmetic.
  multipleOfPrecision: 9,
};
// Draft 2020-12 unless a document declares draft-07 (tuple items).
const ajv2020 = new Ajv2020.default(options);
const ajv07 = new Ajv07.default(options);
addFormats.default(ajv2020, { mode: "full" });
addFormats.default(ajv07, { mode: "full" });
const byURI = {};
const compiled = new Map(); // schema location → validate function
const failures = [];
let checked = 0;
let checks = 0;
let documents = false;

function setup(input) {
  for (const [uri, doc] of Object.entries(input.documents)) {
    const draft07 = typeof doc.$schema === "string" && doc.$schema.includes("draft-07");
    byURI[uri] = draft07 ? ajv07 : ajv2020;
    byURI[uri].addSchema(doc, uri);
  }
  documents = true;
}

function check(c, i) {
  const ajv = byURI[c.schema.split("#")[0]] || ajv2020;
  let validate = compiled.get(c.schema);
  if (validate === undefined) {
    validate = ajv.getSchema(c.schema) || null;
    compiled.set(c.schema, validate);
  }
  if (!validate) {
    failures.push({ check: i, instance: -1, errors: "schema not found: " + c.schema, text: "" });
    return;
  }
  c.instances.forEach((instance, j) => {
    checked++;
    if (!validate(instance)) {
      failures.push({ check: i, instance: j, errors: ajv.errorsText(validate.errors), text: JSON.stringify(instance).slice(0, 300) });
    }
  });
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
lines.on("line", (line) => {
  if (line.trim() === "") return;
  const msg = JSON.parse(line);
  if (!documents) {
    setup(msg);
  } else {
    check(msg, checks++);
  }
});
lines.on("close", () => {
  if (!documents) {
    process.stderr.write("validate.mjs: no documents line on stdin\n");
    process.exit(1);
  }
  process.stdout.write(JSON.stringify({ failures, checked }));
});
