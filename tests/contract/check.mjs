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
  checked++;
}
console.log(`responses: ${checked} checked, ${failed} problem(s)`);
process.exit(failed ? 1 : 0);
