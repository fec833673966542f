// Validates JSON instances with Ajv (draft 2020-12, formats asserted), the
// second validator of the schemagen tests. Input on stdin:
//   {"documents": {"URI": document, ...},
//    "checks": [{"schema": "URI#/json/pointer", "instances": [value, ...]}, ...]}
// Output on stdout: {"failures": [{"check": i, "instance": j, "errors": "..."}],
//                    "checked": n}
// Exit 0 when the run worked (failures are data), 1 on a setup problem.
import Ajv2020 from "ajv/dist/2020.js";
import Ajv07 from "ajv";
import addFormats from "ajv-formats";
import { readFileSync } from "node:fs";

const input = JSON.parse(readFileSync(0, "utf8"));
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
for (const [uri, doc] of Object.entries(input.documents)) {
  const draft07 = typeof doc.$schema === "string" && doc.$schema.includes("draft-07");
  byURI[uri] = draft07 ? ajv07 : ajv2020;
  byURI[uri].addSchema(doc, uri);
}
const failures = [];
let checked = 0;
input.checks.forEach((check, i) => {
  const ajv = byURI[check.schema.split("#")[0]] || ajv2020;
  const validate = ajv.getSchema(check.schema);
  if (!validate) {
    failures.push({ check: i, instance: -1, errors: "schema not found: " + check.schema });
    return;
  }
  check.instances.forEach((instance, j) => {
    checked++;
    if (!validate(instance)) {
      failures.push({ check: i, instance: j, errors: ajv.errorsText(validate.errors) });
    }
  });
});
process.stdout.write(JSON.stringify({ failures, checked }));
