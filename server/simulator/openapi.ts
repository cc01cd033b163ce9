// Validates simulator requests and responses against the Airwallex OpenAPI subset, the way stripe-mock does.
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

/*
 * The spec is a copy kept in the repo (Apache-2.0, header preserved) so the project does not
 * depend on /work/shared at run time. Its schemas mark nothing `additionalProperties: false`, so
 * extra fields pass, as they do on the real API.
 */
const SPEC_PATH = path.join(__dirname, 'airwallex-openapi-subset.yaml');
const SPEC_ID = 'https://simulator.invalid/airwallex-openapi-subset.json';

type HttpMethod = 'get' | 'post';

interface ParameterObject {
  name: string;
  in: string;
  required?: boolean;
  schema?: object;
  $ref?: string;
}

interface OperationObject {
  parameters?: ParameterObject[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: object }> };
  responses?: Record<string, { content?: Record<string, { schema?: object }> }>;
}

interface OpenApiDocument {
  paths: Record<string, Partial<Record<HttpMethod, OperationObject>>>;
  components?: { parameters?: Record<string, ParameterObject> };
}

/** What a failed validation answers: Airwallex puts the offending field in `source`. */
export interface ValidationFailure {
  source?: string;
  message: string;
}

export interface RequestParts {
  params?: Record<string, string | undefined>;
  query?: Record<string, unknown>;
  body?: unknown;
}

let shared: OpenApiValidator | undefined;

/** The process-wide validator; the spec is parsed and compiled once (about 100 ms). */
export function openApi(): OpenApiValidator {
  shared ??= new OpenApiValidator(SPEC_PATH);
  return shared;
}

export class OpenApiValidator {
  private readonly doc: OpenApiDocument;
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(specPath: string) {
    this.doc = parseYaml(fs.readFileSync(specPath, 'utf8')) as OpenApiDocument;
    // strict:false so OpenAPI-only keywords (x-documented-values, example) are ignored, not errors.
    this.ajv = new Ajv2020({ strict: false, allErrors: false, validateSchema: false });
    addFormats(this.ajv);
    this.ajv.addSchema(this.doc as object, SPEC_ID);
  }

  /** Path, query and body checks for one operation; null when the request is valid. */
  validateRequest(method: HttpMethod, pathTemplate: string, parts: RequestParts): ValidationFailure | null {
    const operation = this.operation(method, pathTemplate);
    if (!operation) throw new Error(`${method.toUpperCase()} ${pathTemplate} is not in the OpenAPI subset`);
    for (const [index, raw] of (operation.parameters ?? []).entries()) {
      const parameter = this.resolveParameter(raw);
      if (parameter.in !== 'path' && parameter.in !== 'query') continue; // headers are checked by the auth code
      const value = parameter.in === 'path' ? parts.params?.[parameter.name] : parts.query?.[parameter.name];
      if (value === undefined || value === '') {
        if (parameter.required) return { source: parameter.name, message: `${parameter.name} must be provided` };
        continue;
      }
      const pointer = raw.$ref ? raw.$ref.slice(1) : `${this.operationPointer(method, pathTemplate)}/parameters/${index}`;
      const validate = this.compile(`${pointer}/schema`);
      if (!validate(coerceParameter(value, parameter.schema))) return failure(validate.errors ?? [], parameter.name);
    }
    const bodySpec = operation.requestBody;
    const json = bodySpec?.content?.['application/json'];
    if (bodySpec && json?.schema) {
      if (parts.body === undefined) {
        if (bodySpec.required) return { message: 'A JSON request body is required' };
      } else {
        const validate = this.compile(`${this.operationPointer(method, pathTemplate)}/requestBody/content/application~1json/schema`);
        if (!validate(parts.body)) return failure(validate.errors ?? [], '');
      }
    }
    return null;
  }

  /**
   * Checks a response against the operation's documented response for that status. Statuses the
   * spec documents without a body schema (all the error statuses) accept any body.
   */
  validateResponse(method: string, pathTemplate: string, status: number, body: unknown): { valid: boolean; errors: string[] } {
    const lower = method.toLowerCase() as HttpMethod;
    const operation = this.operation(lower, pathTemplate);
    if (!operation) return { valid: false, errors: [`${method.toUpperCase()} ${pathTemplate} is not in the OpenAPI subset`] };
    const response = operation.responses?.[String(status)];
    if (!response) return { valid: false, errors: [`status ${status} is not documented for ${method.toUpperCase()} ${pathTemplate}`] };
    if (!response.content?.['application/json']?.schema) return { valid: true, errors: [] };
    const validate = this.compile(
      `${this.operationPointer(lower, pathTemplate)}/responses/${status}/content/application~1json/schema`,
    );
    if (validate(body)) return { valid: true, errors: [] };
    return {
      valid: false,
      errors: (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`),
    };
  }

  private operation(method: HttpMethod, pathTemplate: string): OperationObject | undefined {
    return this.doc.paths[pathTemplate]?.[method];
  }

  private resolveParameter(parameter: ParameterObject): ParameterObject {
    if (!parameter.$ref) return parameter;
    const name = parameter.$ref.replace('#/components/parameters/', '');
    const resolved = this.doc.components?.parameters?.[name];
    if (!resolved) throw new Error(`unresolved parameter ${parameter.$ref}`);
    return resolved;
  }

  private operationPointer(method: HttpMethod, pathTemplate: string): string {
    return `/paths/${pathTemplate.replace(/~/g, '~0').replace(/\//g, '~1')}/${method}`;
  }

  private compile(pointer: string): ValidateFunction {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      // A $ref into the whole document lets the schema's own "#/components/..." refs resolve.
      validate = this.ajv.compile({ $ref: `${SPEC_ID}#${pointer}` });
      this.compiled.set(pointer, validate);
    }
    return validate;
  }
}

/**
 * Path and query values arrive as strings; a parameter typed integer, number or boolean is checked
 * as the value the string spells ("10" → 10), as a real API's parameter binding would. Anything
 * else (an array from a repeated parameter, "ten") is checked as it came, and fails.
 */
function coerceParameter(value: unknown, schema: object | undefined): unknown {
  if (typeof value !== 'string') return value;
  const type = (schema as { type?: unknown } | undefined)?.type;
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/** Request-side failure from ajv's first error, with `source` as a dotted path (order.products[0].name). */
function failure(errors: ErrorObject[], prefix: string): ValidationFailure {
  const error = errors[0];
  if (!error) return { source: prefix || undefined, message: 'The request is not valid' };
  const segments = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') segments.push(String((error.params as { missingProperty: string }).missingProperty));
  let source = prefix;
  for (const segment of segments) source += /^\d+$/.test(segment) ? `[${segment}]` : `${source ? '.' : ''}${segment}`;
  const message = error.keyword === 'required' ? `${source} must be provided` : `${source || 'The request body'} ${error.message ?? 'is invalid'}`;
  return { source: source || undefined, message };
}

/** Test helper: does `body` match what the spec documents for this operation and status? */
export function validateResponse(method: string, pathTemplate: string, status: number, body: unknown): { valid: boolean; errors: string[] } {
  return openApi().validateResponse(method, pathTemplate, status, body);
}
