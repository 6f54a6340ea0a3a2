// Schema validation with two Ajv instances: query strings and path parameters arrive as text and are
// coerced ("50" -> 50); JSON bodies are taken as sent, so `{"reason": 5}` is an error, not "5".
// Neither removes unknown properties silently: a schema says additionalProperties:false to refuse them.
import { Ajv } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS with a default export; under nodenext the callable sits on `.default`.
const addFormats = addFormatsImport as unknown as typeof addFormatsImport.default;

function makeAjv(coerceTypes: boolean): Ajv {
  const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: true, strict: false });
  addFormats(ajv, ['date-time']);
  return ajv;
}

/** Fastify reads a false result's `.errors` and formats them as `body/reason must ...` (FST_ERR_VALIDATION). */
export function createValidatorCompiler(): FastifySchemaCompiler<unknown> {
  const text = makeAjv(true);
  const json = makeAjv(false);
  return ({ schema, httpPart }) => (httpPart === 'body' ? json : text).compile(schema as object);
}
