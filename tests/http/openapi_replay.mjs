// Validates an OpenAPI document with @apidevtools/swagger-parser, then sends every operation's
// example (path parameters, required query parameters, the request body's example) to a
// running server and checks that the answer is one the document declares for it, that it is
// the protocol's response object, and that no example is refused as malformed (400): the
// examples are requests a client may copy.
//   usage: node openapi_replay.mjs <openapi.json> <base url> <admin key>
import SwaggerParser from "@apidevtools/swagger-parser";
import { readFileSync } from "node:fs";

const [file, base, key] = process.argv.slice(2);
const doc = JSON.parse(readFileSync(file, "utf8"));
await SwaggerParser.validate(structuredClone(doc));
console.log(`ok:   ${file} is a valid OpenAPI ${doc.openapi} document`);

let failures = 0;
let replayed = 0;
for (const [path, item] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(item)) {
    let target = path;
    const query = new URLSearchParams();
    for (const p of op.parameters ?? []) {
      if (p.in === "path") target = target.replace(`{${p.name}}`, encodeURIComponent(String(p.example)));
      else if (p.in === "query" && p.required) query.set(p.name, String(p.example));
    }
    const qs = query.toString();
    const url = base + target + (qs ? `?${qs}` : "");
    const body = op.requestBody?.content?.["application/json"]?.example;
    const res = await fetch(url, {
      method: method.toUpperCase(),
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    replayed++;
    const problems = [];
    if (!(String(res.status) in op.responses)) problems.push(`status ${res.status} not documented`);
    if (res.status === 400) problems.push("the example is refused as malformed");
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      problems.push("the body is not JSON");
    }
    if (json && typeof json.ok !== "boolean") problems.push("no boolean ok");
    if (problems.length) {
      failures++;
      console.log(`FAIL: ${method.toUpperCase()} ${url}: ${problems.join("; ")}: ${text.slice(0, 300)}`);
    } else {
      console.log(`ok:   ${op.operationId}: ${method.toUpperCase()} ${url} -> ${res.status}`);
    }
  }
}
console.log(`${replayed} examples replayed, ${failures} failure(s)`);
process.exit(failures ? 1 : 0);
