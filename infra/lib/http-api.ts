import { Stack } from 'aws-cdk-lib';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { ResolvedOptions } from './options.js';
import { contractRoutes } from './routes.js';

/**
 * The API Gateway HTTP API (payload format 2.0) in front of the function: cheaper and a little
 * faster than a REST API, base64-encodes every non-text body by itself, but has no API keys, no
 * X-Ray and no AWS service integrations.
 */
export class QuickstowHttpApi extends Construct {
  readonly api: HttpApi;
  /**
   * The `$default` stage, made here rather than by HttpApi because HttpApi's own default stage
   * takes no throttling settings.
   */
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, options: ResolvedOptions, target: IFunction) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-quickstow`,
      description: `quickstow (${options.mode})`,
      createDefaultStage: false,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: options.throttle,
    });

    const integration = new HttpLambdaIntegration('Handler', target, {
      scopePermissionToRoute: false,
    });
    const authorizer = httpAuthorizer(options);
    for (const route of contractRoutes) {
      this.api.addRoutes({
        path: route.path,
        methods: route.methods.map((method) => HttpMethod[method]),
        integration,
        authorizer,
      });
    }
  }
}

function httpAuthorizer(options: ResolvedOptions): IHttpRouteAuthorizer {
  switch (options.auth.http) {
    case 'iam':
      return new HttpIamAuthorizer();
    case 'jwt': {
      const jwt = options.auth.jwt;
      // resolveOptions guarantees it; the check keeps the type honest.
      if (!jwt) throw new Error('auth.http is jwt but auth.jwt is missing');
      return new HttpJwtAuthorizer('Jwt', jwt.issuer, { jwtAudience: jwt.audience });
    }
    case 'none':
      return new HttpNoneAuthorizer();
  }
}
