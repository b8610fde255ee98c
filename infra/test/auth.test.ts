import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Match } from 'aws-cdk-lib/assertions';
import { QuickstowOptionsError } from '../lib/options.js';
import { only, resourcesOf, synth } from './support/synth.js';

describe('auth', () => {
  it('signs every front door with IAM by default', () => {
    const { template } = synth({ api: ['rest', 'http', 'function-url'] });
    template.allResourcesProperties('AWS::ApiGateway::Method', {
      AuthorizationType: 'AWS_IAM',
      ApiKeyRequired: false,
    });
    template.allResourcesProperties('AWS::ApiGatewayV2::Route', { AuthorizationType: 'AWS_IAM' });
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
    // An IAM Function URL is invoked only by callers IAM allows: no public permission.
    for (const permission of Object.values(resourcesOf(template, 'AWS::Lambda::Permission'))) {
      assert.notEqual(permission.Properties.Principal, '*');
    }
  });

  it('opens every front door with auth none, and warns at synth time for each', () => {
    const { template, annotations } = synth({
      api: ['rest', 'http', 'function-url'],
      auth: { rest: 'none', http: 'none', functionUrl: 'none' },
    });
    template.allResourcesProperties('AWS::ApiGateway::Method', {
      AuthorizationType: 'NONE',
      ApiKeyRequired: false,
    });
    template.allResourcesProperties('AWS::ApiGatewayV2::Route', { AuthorizationType: 'NONE' });
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE' });
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 0);
    const warnings = annotations.findWarning('*', Match.stringLikeRegexp('auth none'));
    assert.equal(warnings.length, 1);
    const text = String(warnings[0]?.entry.data);
    for (const name of ['the REST API', 'the HTTP API', 'the Function URL'])
      assert.ok(text.includes(name), name);
  });

  it('warns only about the front doors that are open', () => {
    const { annotations } = synth({ api: ['rest', 'http'], auth: { rest: 'iam', http: 'none' } });
    const warnings = annotations.findWarning('*', Match.stringLikeRegexp('auth none'));
    assert.equal(warnings.length, 1);
    assert.match(String(warnings[0]?.entry.data), /^the HTTP API accepts requests from anyone/);
  });

  it('does not warn about an open door that is not deployed', () => {
    const { annotations } = synth({ api: ['rest'], auth: { http: 'none', functionUrl: 'none' } });
    annotations.hasNoWarning('*', Match.anyValue());
  });

  it('uses SigV4 on the HTTP API through an IAM route authorization', () => {
    const { template } = synth({ api: ['http'], auth: { http: 'iam' } });
    const routes = Object.values(resourcesOf(template, 'AWS::ApiGatewayV2::Route'));
    assert.equal(routes.length, 4);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    only(template, 'AWS::ApiGatewayV2::Api');
  });

  it('refuses a JWT authorizer without an https issuer and an audience', () => {
    assert.throws(() => synth({ api: ['http'], auth: { http: 'jwt' } }), QuickstowOptionsError);
    assert.throws(
      () =>
        synth({
          api: ['http'],
          auth: { http: 'jwt', jwt: { issuer: 'http://insecure', audience: ['a'] } },
        }),
      /https issuer/,
    );
    assert.throws(
      () =>
        synth({
          api: ['http'],
          auth: { http: 'jwt', jwt: { issuer: 'https://issuer', audience: [] } },
        }),
      /at least one audience/,
    );
  });
});
