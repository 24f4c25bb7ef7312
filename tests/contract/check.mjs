// check.mjs -- the API contract checked with real tools.
//
//   node check.mjs OPENAPI_YAML [DIR]
//
// Validates the document against the OpenAPI 3.1 schema
// (@seriousme/openapi-schema-validator), then, when DIR is given, every
// DIR/*.json file -- {"operation": operationId, "status": 200, "body": ...}
// written by an integration test from a live response -- against the
// schema the document gives that operation's answer (Ajv, JSON Schema
// 2020-12, the dialect of OpenAPI 3.1).  Prints one line per problem and
// exits 1 when there is any.
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

const [docPath, dir] = process.argv.slice(2);
if (!docPath) {
  console.error("usage: node check.mjs OPENAPI_YAML [DIR]");
  process.exit(2);
}
let failed = 0;
const fail = (msg) => { console.error(msg); failed++; };

const validator = new Validator();
const spec = parse(readFileSync(docPath, "utf8"));
const res = await validator.validate(spec);
if (!res.valid) {
  for (const e of res.errors ?? []) fail(`openapi: ${JSON.stringify(e)}`);
  process.exit(1);
}
console.log(`openapi: valid OpenAPI ${validator.version}`);
if (!dir) process.exit(0);

const doc = validator.resolveRefs();
const operations = new Map();
for (const [path, item] of Object.entries(doc.paths ?? {}))
  for (const [method, op] of Object.entries(item))
    if (op && op.operationId) operations.set(op.operationId, { path, method, op });

const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
// Row schemas by report name (x-report), for array reports.
const rowSchemas = new Map();
for (const schema of Object.values(doc.components?.schemas ?? {}))
  if (schema["x-report"]) rowSchemas.set(schema["x-report"], schema);

// The catalogue and the document list the same columns, in order.
const checkCatalogue = (name, body) => {
  for (const r of body.reports ?? []) {
    if (r.name === "daily-summary") continue;
    const schema = rowSchemas.get(r.name);
    if (!schema) { fail(`${name}: the document has no row schema for ${r.name}`); continue; }
    const want = r.columns.map((c) => c.name).join(",");
    const got = Object.keys(schema.properties ?? {}).join(",");
    if (want !== got) fail(`${name}: ${r.name} columns ${want}, document ${got}`);
  }
};
let checked = 0;
for (const name of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
  const sample = JSON.parse(readFileSync(join(dir, name), "utf8"));
  const found = operations.get(sample.operation);
  if (!found) { fail(`${name}: no operation ${sample.operation}`); continue; }
  const answer = found.op.responses?.[String(sample.status)];
  const schema = answer?.content?.["application/json"]?.schema;
  if (!schema) { fail(`${name}: ${sample.operation} documents no JSON ${sample.status}`); continue; }
  const check = ajv.compile(schema);
  if (!check(sample.body))
    fail(`${name}: ${sample.operation} ${sample.status}: ${ajv.errorsText(check.errors)}`);
  if (sample.operation === "listReports") checkCatalogue(name, sample.body);
  const report = sample.body?.meta?.report;
  if (report && Array.isArray(sample.body.data)) {
    const rowSchema = rowSchemas.get(report);
    if (!rowSchema) fail(`${name}: the document has no row schema for ${report}`);
    else {
      const row = ajv.compile(rowSchema);
      sample.body.data.forEach((r, i) => {
        if (!row(r)) fail(`${name}: ${report} row ${i}: ${ajv.errorsText(row.errors)}`);
      });
    }
  }
  checked++;
}
console.log(`responses: ${checked} checked, ${failed} problem(s)`);
process.exit(failed ? 1 : 0);
