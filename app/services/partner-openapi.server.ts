import { partnerActions } from '#app/domain/credits/actions.ts'
import { partnerApiErrors, partnerFieldErrors } from '#app/domain/credits/partner-request.ts'
import { defaultSignatureToleranceSeconds } from '#app/domain/credits/signing.server.ts'
import { greenActionsPath, maxBodyBytes } from './partners.server.ts'
import { footprintOpenApi } from './footprints-openapi.server.ts'

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: [...Object.keys(partnerApiErrors), 'method_not_allowed', 'body_too_large'] },
        message: { $ref: '#/components/schemas/Bilingual' },
        fields: {
          type: 'array',
          items: {
            type: 'object',
            required: ['field', 'code', 'message'],
            properties: {
              field: { type: 'string', description: "Dotted path in the body, e.g. 'consumer.phone'." },
              code: { type: 'string', enum: Object.keys(partnerFieldErrors) },
              message: { $ref: '#/components/schemas/Bilingual' },
            },
          },
        },
      },
    },
  },
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
})

/** The OpenAPI 3.1 description of the partner API, served at /api/openapi.json. */
export function partnerOpenApiDocument(serverUrl: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'GreenParcel partner API 绿色快递协同平台合作平台接口',
      version: '1.0.0',
      description: [
        'E-commerce platforms post consumers’ green choices at checkout; each accepted action earns the consumer green credits',
        '(1 point per gram of CO2e avoided under the rule set in force, with daily caps).',
        '',
        '**Signing.** Every request carries `X-GP-Key-Id`, `X-GP-Timestamp` (Unix seconds) and `X-GP-Signature`:',
        'lower-case hex HMAC-SHA256, keyed with your secret, of',
        '`METHOD + "\\n" + path-and-query + "\\n" + timestamp + "\\n" + hex(sha256(raw body))`.',
        `A timestamp more than ${defaultSignatureToleranceSeconds} seconds from server time is refused (\`timestamp_stale\`);`,
        'a signature already seen is refused (`request_replayed`): to retry, sign again with a fresh timestamp.',
        '',
        '**Idempotency.** `Idempotency-Key` (8-128 of `A-Z a-z 0-9 - _ . :`) is required. Retrying with the same key and the same body',
        'returns the stored answer (header `Idempotent-Replayed: true`); the same key with another body is refused (`idempotency_key_reused`).',
        'Keys are kept per partner. Independently, one waybill earns at most one award per action, whatever the key (`already_awarded`).',
        '',
        '**Rate limit.** A token bucket per partner, kept in the database so every server shares it: it refills at the partner’s',
        'agreed requests per second up to a burst size; an empty bucket answers 429 with `Retry-After`.',
        '',
        '**Privacy.** Phone numbers are stored only as a keyed hash and a masked form. A phone the platform has not seen opens an',
        'account the consumer can claim later; answers never include balances or any other consumer’s data.',
        '',
        `Bodies are UTF-8 JSON, at most ${maxBodyBytes / 1024} KB. Errors carry a stable \`code\` and a message in Chinese and English.`,
        '',
        ...footprintOpenApi.description,
      ].join('\n'),
    },
    servers: [{ url: serverUrl }],
    components: {
      securitySchemes: {
        keyId: { type: 'apiKey', in: 'header', name: 'X-GP-Key-Id' },
        signature: { type: 'apiKey', in: 'header', name: 'X-GP-Signature', description: 'HMAC-SHA256 as described above, with X-GP-Timestamp.' },
      },
      schemas: {
        Bilingual: {
          type: 'object',
          required: ['zh', 'en'],
          properties: { zh: { type: 'string' }, en: { type: 'string' } },
        },
        Error: errorSchema,
        ...footprintOpenApi.schemas,
        GreenAction: {
          type: 'object',
          additionalProperties: false,
          required: ['partnerOrderId', 'waybillNo', 'consumer', 'action', 'occurredAt'],
          properties: {
            partnerOrderId: { type: 'string', pattern: '^[\\x21-\\x7e]{1,64}$', examples: ['GM-20261122-000123'] },
            waybillNo: { type: 'string', description: 'Letters and digits, 8-30; spaces are removed and letters upper-cased.', examples: ['SF1400000000101'] },
            consumer: {
              type: 'object',
              additionalProperties: false,
              description: 'Exactly one of memberCode and phone.',
              properties: {
                memberCode: { type: 'string', pattern: '^GP[0-9]{8}[0-9X]$', examples: ['GP202405189'] },
                phone: { type: 'string', description: 'Mainland China mobile number; +86 and separators allowed.', examples: ['13800138000'] },
              },
            },
            action: { type: 'string', enum: [...partnerActions] },
            quantity: { type: 'integer', minimum: 1, maximum: 1000, default: 1, description: 'Items covered; the rule set may allow fewer per award.' },
            occurredAt: { type: 'string', format: 'date-time', description: 'ISO 8601 with a zone; at most 5 minutes ahead and 30 days back.', examples: ['2026-11-22T10:30:00+08:00'] },
          },
        },
        Award: {
          type: 'object',
          required: ['award'],
          properties: {
            award: {
              type: 'object',
              properties: {
                id: { type: 'string' },
                action: { type: 'string', enum: [...partnerActions] },
                waybillNo: { type: 'string' },
                quantity: { type: 'integer' },
                occurredOn: { type: 'string', format: 'date', description: 'China calendar day of occurredAt.' },
                avoidedCo2eG: { type: 'string', description: 'Grams of CO2e avoided (decimal string), from the emission factor set.' },
                points: { type: 'string', description: 'Whole points credited (decimal string); 0 when the day’s cap was reached.' },
                capped: { type: 'boolean' },
                ruleSetVersion: { type: 'string', examples: ['2024.1'] },
                factorSetVersion: { type: 'string', examples: ['2026.1'] },
                factorIds: { type: 'array', items: { type: 'string' } },
                expiresOn: { type: 'string', format: 'date', description: 'Last day these points can be spent.' },
              },
            },
          },
        },
      },
    },
    security: [{ keyId: [], signature: [] }],
    paths: {
      [greenActionsPath]: {
        post: {
          operationId: 'postGreenAction',
          summary: 'Report a consumer’s green choice 上报消费者的绿色选择',
          parameters: [
            { name: 'X-GP-Key-Id', in: 'header', required: true, schema: { type: 'string', pattern: '^gpk_[0-9a-f]{24}$' } },
            { name: 'X-GP-Timestamp', in: 'header', required: true, schema: { type: 'string', pattern: '^[0-9]{1,12}$' } },
            { name: 'X-GP-Signature', in: 'header', required: true, schema: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
            { name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9._:-]{8,128}$' } },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/GreenAction' } } } },
          responses: {
            '201': {
              description: 'Awarded (or the stored answer of an earlier request with this Idempotency-Key).',
              headers: { 'Idempotent-Replayed': { schema: { type: 'string', enum: ['true'] }, description: 'Present when the answer is a stored one.' } },
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Award' } } },
            },
            '400': errorResponse('body_not_json, idempotency_key_missing, idempotency_key_invalid'),
            '401': errorResponse('key_missing, key_unknown, key_revoked, signature_missing, signature_invalid, timestamp_invalid, timestamp_stale'),
            '404': errorResponse('consumer_not_found (an unknown member code)'),
            '405': errorResponse('method_not_allowed'),
            '409': errorResponse('request_replayed, already_awarded'),
            '413': errorResponse('body_too_large'),
            '422': errorResponse('validation_failed (see fields), idempotency_key_reused, action_not_rewarded, quantity_too_large'),
            '429': { ...errorResponse('rate_limited'), headers: { 'Retry-After': { schema: { type: 'integer' } } } },
            '500': errorResponse('internal_error: nothing was recorded; retry with the same Idempotency-Key'),
          },
        },
      },
      ...footprintOpenApi.paths,
    },
  }
}
