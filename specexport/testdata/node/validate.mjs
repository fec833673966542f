// Validates exported API descriptions with the official parsers: every
// file named on the command line, one JSON line per file on stdout,
// {"file", "format", "valid", "errors"}.
//
// AsyncAPI: @asyncapi/parser (v3), which validates AsyncAPI 3.0 documents
// against the AsyncAPI Initiative's JSON Schemas and resolves their
// references; a diagnostic of severity error makes a document invalid.
// OpenAPI: @seriousme/openapi-schema-validator, which validates against
// the OpenAPI Initiative's published JSON Schema for 3.1 and resolves the
// references; every Schema Object (components/schemas entries and each
// "schema" of a media type, parameter or header) is then checked against
// JSON Schema 2020-12's meta-schema (Ajv), which that schema leaves to
// the dialect.
import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import YAML from "yaml";

const parser = new Parser();
for (const file of process.argv.slice(2)) {
  const text = readFileSync(file, "utf8");
  const doc = YAML.parse(text);
  const out = { file, format: "", valid: false, errors: [] };
  try {
    if (doc && doc.asyncapi !== undefined) {
      out.format = "asyncapi";
      const { document, diagnostics } = await parser.parse(text);
      out.errors = diagnostics
        .filter((d) => d.severity === 0)
        .map((d) => `${d.path.join("/")}: ${d.message}`);
      out.valid = document !== undefined && out.errors.length === 0;
    } else {
      out.format = "openapi";
      const validator = new Validator();
      const res = await validator.validate(doc);
      if (!res.valid) {
        out.errors = res.errors.map((e) => `${e.instancePath}: ${e.message} ${JSON.stringify(e.params)}`);
      }
      const ajv = new Ajv2020({ strict: false });
      for (const [where, schema] of schemaObjects(doc)) {
        if (!ajv.validateSchema(schema)) {
          out.errors.push(`${where}: ${ajv.errorsText(ajv.errors)}`);
        }
      }
      out.valid = res.valid && out.errors.length === 0;
    }
  } catch (e) {
    out.errors.push(String(e && e.stack ? e.stack.split("\n")[0] : e));
  }
  console.log(JSON.stringify(out));
}

// schemaObjects lists the Schema Objects of an OpenAPI document with their
// paths: the components/schemas entries and every "schema" member outside
// them (a schema is not searched further).
function* schemaObjects(doc) {
  for (const [name, schema] of Object.entries((doc.components || {}).schemas || {})) {
    yield [`/components/schemas/${name}`, schema];
  }
  function* walk(v, path) {
    if (v === null || typeof v !== "object") return;
    for (const [k, val] of Object.entries(v)) {
      if (path === "/components" && k === "schemas") continue;
      if (k === "schema" && val !== null && typeof val === "object") {
        yield [`${path}/${k}`, val];
      } else {
        yield* walk(val, `${path}/${k}`);
      }
    }
  }
  yield* walk(doc, "");
}
