import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalQuery, signV4, uriEncode } from '../../src/minio/sigv4.js';
import { diagnose } from '../../src/minio/sts.js';

describe('SigV4', () => {
  it('matches the AWS test suite vector get-vanilla', () => {
    const headers = signV4(
      { method: 'GET', url: new URL('https://example.amazonaws.com/'), region: 'us-east-1', service: 'service', now: new Date('2015-08-30T12:36:00Z'), contentSha256Header: false },
      { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    );
    assert.equal(
      headers['authorization'],
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });
  // Published aws-sig-v4-test-suite vectors with a query, an unreserved path, UTF-8 and
  // headers to trim: the cases that catch an unsorted query, an unencoded path, untrimmed values.
  const SUITE: [string, string, string, Record<string, string>, string | undefined, string][] = [
    ['get-vanilla-query-order-key-case', 'GET', '/?Param2=value2&Param1=value1', {}, undefined, 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500'],
    ['get-vanilla-query-order-value', 'GET', '/?Param1=value2&Param1=value1', {}, undefined, '5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694'],
    ['get-vanilla-utf8-query', 'GET', '/?\u1234=bar', {}, undefined, '2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04'],
    ['get-unreserved', 'GET', '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', {}, undefined, '07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f'],
    ['get-header-value-trim', 'GET', '/', { 'My-Header1': ' value1', 'My-Header2': '"a   b   c"' }, undefined, 'acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736'],
    ['post-x-www-form-urlencoded', 'POST', '/', { 'Content-Type': 'application/x-www-form-urlencoded' }, 'Param1=value1', 'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a'],
  ];
  for (const [name, method, target, headers, body, signature] of SUITE) {
    it(`matches the AWS test suite vector ${name}`, () => {
      const signed = signV4(
        { method, url: new URL(`https://example.amazonaws.com${target}`), headers, region: 'us-east-1', service: 'service', now: new Date('2015-08-30T12:36:00Z'), contentSha256Header: false, ...(body === undefined ? {} : { body }) },
        { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
      );
      assert.match(signed['authorization'] ?? '', new RegExp(`, Signature=${signature}$`));
    });
  }
  it('adds the session token and the payload hash for S3', () => {
    const headers = signV4({ method: 'PUT', url: new URL('http://127.0.0.1:9000/b/k'), region: 'us-east-1', body: 'x' }, { accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 'tok' });
    assert.equal(headers['x-amz-security-token'], 'tok');
    assert.equal(headers['x-amz-content-sha256'], '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
    assert.match(headers['authorization'] ?? '', /SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,/);
  });
  it('sorts the query by name, then by value, in code-unit order', () => {
    assert.equal(canonicalQuery(new URL('https://h/?b=2&a=y&a=z&a=x&B=1&a%20b=0')), 'B=1&a=x&a=y&a=z&a%20b=0&b=2');
  });
  it('encodes like RFC 3986', () => {
    assert.equal(uriEncode("a b*'~/"), 'a%20b%2A%27~%2F');
    assert.equal(uriEncode('a/b c', true), 'a/b%20c');
  });
});

describe('STS error diagnosis', () => {
  const cases: [number, string, string, string][] = [
    [400, 'InvalidParameterValue', 'STS JWT Token has `azp` claim invalid, `azp` must match configured OpenID Client ID', 'wrong-audience'],
    [400, 'InvalidParameterValue', 'Error processing RoleArn parameter: RoleARN arn:minio:iam:::role/x is not defined.', 'unknown-role'],
    [400, 'InvalidParameterValue', 'Token is expired', 'expired-token'],
    [400, 'InvalidParameterValue', 'Token used before issued', 'token-not-yet-valid'],
    [400, 'InvalidParameterValue', 'None of the given policies (nope) are defined', 'undefined-policy'],
    [400, 'InvalidParameterValue', 'specified policy readwrite-apps is not defined', 'undefined-policy'],
    [400, 'MalformedPolicyDocument', 'the policy document is malformed', 'unknown'],
    [400, 'InvalidParameterValue', 'the bucket is not defined', 'unknown'],
    [503, 'STSIAMNotInitialized', 'IAM is not initialized', 'iam-not-initialized'],
    [400, 'InvalidParameterValue', 'Get "https://10.0.0.1:6443/openid/v1/jwks": x509: certificate signed by unknown authority', 'jwks-unreachable'],
  ];
  it('only a 503 that says IAM (or its code) is "IAM not initialised"', () => {
    assert.equal(diagnose(503, 'ServiceUnavailable', 'Please reduce your request rate', )[0], 'unknown');
    assert.equal(diagnose(503, '', 'IAM is not initialized')[0], 'iam-not-initialized');
    assert.equal(diagnose(400, 'STSIAMNotInitialized', 'x')[0], 'iam-not-initialized');
  });
  for (const [status, code, message, problem] of cases) {
    it(`${problem}: ${message.slice(0, 40)}`, () => assert.equal(diagnose(status, code, message)[0], problem));
  }
});
