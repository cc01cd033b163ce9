// The fuzzer's cases for POST /api/sessions: login codes good, odd and missing.
import fc from 'fast-check';
import { isStorableText } from '../../../server/text';
import { API_BODY_LIMIT, type BodySpec, type Expectation, type FuzzCase, type TokenRef } from '../model';
import { anyToken, noiseHeaders, poisonBody } from '../pieces';
import { anyJson, codePoints, noiseFields, oddString } from '../strings';

// ---------------------------------------------------------------- POST /api/sessions

/** Would the schema take this as a code? JSON bodies are taken as sent: a non-empty string of at most 128 code points. */
const mayBeCode = (code: unknown) => typeof code === 'string' && code.length > 0 && codePoints(code) <= 128;

export const sessionsCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(
    fc.oneof(
      poisonBody(API_BODY_LIMIT).map((poison) => ({ variant: poison.variant, body: poison.body, expect: { outcome: 'refuse', codes: poison.codes } as Expectation })),
      fc.constant({ variant: 'used code', body: { kind: 'json', value: { code: '@used' } } as BodySpec, expect: { outcome: 'refuse', codes: ['WECHAT_CODE_INVALID'] } as Expectation }),
      fc.stringMatching(/^sim[0-9A-Za-z]{29}$/).map((code) => ({ variant: 'never minted code', body: { kind: 'json', value: { code } } as BodySpec, expect: { outcome: 'refuse', codes: ['WECHAT_CODE_INVALID'] } as Expectation })),
      oddString
        .filter((code) => codePoints(code) > 140)
        .map((code) => ({ variant: 'code too long', body: { kind: 'json', value: { code } } as BodySpec, expect: { outcome: 'refuse', codes: ['VALIDATION_FAILED'] } as Expectation })),
      fc.constantFrom<unknown>('', {}, [], ['a', 'b'], { code: 'x' }).map((code) => ({ variant: 'empty or non-string code', body: { kind: 'json', value: { code } } as BodySpec, expect: { outcome: 'refuse', codes: ['VALIDATION_FAILED'] } as Expectation })),
      noiseFields.map((value) => ({ variant: 'missing code', body: { kind: 'json', value } as BodySpec, expect: { outcome: 'refuse', codes: ['VALIDATION_FAILED'] } as Expectation })),
      fc
        .oneof(fc.array(anyJson, { maxLength: 3 }), fc.integer(), oddString, fc.constant(null), fc.boolean())
        .map((value) => ({ variant: 'body not an object', body: { kind: 'json', value } as BodySpec, expect: { outcome: 'refuse', codes: ['VALIDATION_FAILED'] } as Expectation })),
      fc.constantFrom('{"__proto__":{"code":"x"},"code":"abc"}', '{"constructor":{"prototype":{"code":"x"}},"code":"abcd"}').map((text) => ({
        variant: 'prototype pollution',
        body: { kind: 'text', text } as BodySpec,
        expect: { outcome: 'refuse', codes: ['INVALID_JSON'] } as Expectation,
      })),
      fc.constantFrom('text/plain', 'text/plain; charset=utf-8').map((contentType) => ({
        variant: 'JSON sent as text/plain',
        body: { kind: 'json', value: { code: '@used' }, contentType } as BodySpec,
        expect: { outcome: 'refuse', codes: ['VALIDATION_FAILED'] } as Expectation,
      })),
      // Text no store keeps (NUL, a lone surrogate): refused before WeChat is asked.
      oddString
        .filter((code) => mayBeCode(code) && !isStorableText(code))
        .map((code) => ({ variant: 'code with text no store keeps', body: { kind: 'json', value: { code } } as BodySpec, expect: { outcome: 'refuse', codes: ['VALIDATION_FAILED'] } as Expectation })),
      // Valid but unusual: the simulator takes an unknown code once, as DevTools' tourist-mode code does.
      fc
        .tuple(fc.oneof(oddString, fc.integer(), fc.boolean(), fc.double()), noiseFields)
        .filter(([code]) => mayBeCode(code) && isStorableText(code as string))
        .map(([code, extra]) => ({ variant: 'random code (may be accepted once)', body: { kind: 'json', value: { ...extra, code } } as BodySpec, expect: { outcome: 'any' } as Expectation, unknownCode: true })),
    ),
    noiseHeaders,
    fc.oneof({ weight: 4, arbitrary: fc.constant<TokenRef>({ kind: 'missing' }) }, { weight: 1, arbitrary: anyToken }),
  )
  .map(([v, headers, token]): FuzzCase => ({
    endpoint: 'POST /api/sessions',
    variant: v.variant,
    method: 'POST',
    path: '/api/sessions',
    token,
    headers,
    body: v.body,
    expect: v.expect,
    // DevTools' tourist-mode codes: the simulator records an unknown code as used (and, the first time, the default
    // shopper as a user WeChat knows), and a session is made.
    ...('unknownCode' in v ? { writes: ['simulator.wechat_codes +~', 'simulator.wechat_users +'], writesIfAccepted: ['server.sessions +'] } : {}),
  }));
