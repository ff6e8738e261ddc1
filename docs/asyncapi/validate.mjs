// Validates an AsyncAPI document with the official parser (@asyncapi/parser) and its Avro schema
// parser (@asyncapi/avro-schema-parser), so the Avro payloads the document references are resolved
// and checked too: an Avro schema that avsc (the Avro library the schema parser uses) cannot read,
// e.g. one naming a type it does not define, is an error. Run by the build (schemas'
// AsyncApiDocumentIT) after `npm ci` in this folder:
//
//   node validate.mjs [DOCUMENT]      (default: ../asyncapi.yaml, beside this folder)
//
// Exits 0 when the parser reports neither an error nor a warning, 1 when it does (each diagnostic on
// stderr with its rule, its path in the document, its line and the parser's message), 2 on bad usage.
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { Parser, fromFile, DiagnosticSeverity } from '@asyncapi/parser';
import { xParserOriginalPayload } from '@asyncapi/parser/cjs/constants.js';
import { AvroSchemaParser } from '@asyncapi/avro-schema-parser';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
if (args.length > 1) {
  console.error('usage: node validate.mjs [DOCUMENT]');
  process.exit(2);
}
const document = resolve(args[0] ?? resolve(here, '..', 'asyncapi.yaml'));
if (!existsSync(document)) {
  console.error(`${document}: no such file`);
  process.exit(2);
}

const avro = AvroSchemaParser();
const parser = new Parser();
parser.registerSchemaParser(avro);
const { document: parsed, diagnostics } = await fromFile(parser, document).parse();

// For AsyncAPI 3 documents, parser 3.6.3 converts each Avro payload to a JSON Schema but never calls
// the schema parser's validate() (its v2 ruleset has the rule that does, 'asyncapi2-schemas'; the v3
// ruleset has none), so an Avro schema with an unresolvable type name would pass. The original Avro
// of each payload is kept beside the conversion: validate it with the same schema parser.
if (parsed !== undefined) {
  for (const message of parsed.allMessages().all()) {
    const payload = message.json().payload;
    if (!avro.getMimeTypes().includes(message.schemaFormat()) || payload?.[xParserOriginalPayload] === undefined) {
      continue;
    }
    const path = [...message.meta().pointer.split('/').slice(1), 'payload', 'schema'];
    for (const problem of await avro.validate({ data: payload[xParserOriginalPayload], path })) {
      diagnostics.push({
        code: 'avro-schema',
        severity: DiagnosticSeverity.Error,
        path: problem.path ?? path,
        message: `Avro payload of message ${message.name() ?? message.id()} (${message.schemaFormat()}): ${problem.message}`,
      });
    }
  }
}

const severityNames = {
  [DiagnosticSeverity.Error]: 'error',
  [DiagnosticSeverity.Warning]: 'warning',
  [DiagnosticSeverity.Information]: 'info',
  [DiagnosticSeverity.Hint]: 'hint',
};
// Warnings count: the document is held free of them, so that a new one is noticed when it appears.
const problems = diagnostics.filter(d => d.severity <= DiagnosticSeverity.Warning);
for (const d of diagnostics) {
  const where = d.path && d.path.length ? d.path.join('.') : '(document)';
  const line = d.range ? ` line ${d.range.start.line + 1}` : '';
  const source = d.source && resolve(d.source) !== document ? ` in ${d.source}` : '';
  console.error(`${severityNames[d.severity] ?? d.severity} ${d.code} at ${where}${line}${source}: ${d.message}`);
}
if (parsed === undefined || problems.length > 0) {
  console.error(`${document}: refused by @asyncapi/parser (${problems.length} error(s) or warning(s))`);
  process.exit(1);
}

const payloadFormats = new Set(parsed.allMessages().all().map(m => m.schemaFormat()));
console.log(`${document}: valid AsyncAPI ${parsed.version()} ` +
  `(${parsed.channels().length} channels, ${parsed.operations().length} operations, ` +
  `${parsed.allMessages().length} messages; payload formats: ${[...payloadFormats].join(', ')})`);
