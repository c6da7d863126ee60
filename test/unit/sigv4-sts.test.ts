import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signV4, uriEncode } from '../../src/minio/sigv4.js';
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
  it('adds the session token and the payload hash for S3', () => {
    const headers = signV4({ method: 'PUT', url: new URL('http://127.0.0.1:9000/b/k'), region: 'us-east-1', body: 'x' }, { accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 'tok' });
    assert.equal(headers['x-amz-security-token'], 'tok');
    assert.equal(headers['x-amz-content-sha256'], '2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
    assert.match(headers['authorization'] ?? '', /SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,/);
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
    [503, 'STSIAMNotInitialized', 'IAM is not initialized', 'iam-not-initialized'],
    [400, 'InvalidParameterValue', 'Get "https://10.0.0.1:6443/openid/v1/jwks": x509: certificate signed by unknown authority', 'jwks-unreachable'],
  ];
  for (const [status, code, message, problem] of cases) {
    it(`${problem}: ${message.slice(0, 40)}`, () => assert.equal(diagnose(status, code, message)[0], problem));
  }
});
