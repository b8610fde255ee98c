import { Stack } from 'aws-cdk-lib';
import {
  AuthorizationType,
  EndpointType,
  type IApiKey,
  LambdaIntegration,
  type MethodOptions,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { ResolvedOptions } from './options.js';
import { contractRoutes } from './routes.js';

/** The stage every REST API URL goes through: `https://{id}.execute-api.{region}.amazonaws.com/v1/`. */
export const restStageName = 'v1';

/**
 * The API Gateway REST API (payload format 1.0) in front of the function.
 *
 * `binaryMediaTypes: ['*\/*']` is what keeps binary payloads intact: API Gateway base64-encodes
 * a body for the function only when its Content-Type matches one of the binary media types, and
 * otherwise passes it as UTF-8 text, corrupting any byte sequence that is not valid UTF-8. The
 * same setting lets the function's base64 responses (GET of a payload) reach the client as bytes
 * for any `Accept`.
 */
export class QuickstowRestApi extends Construct {
  readonly api: RestApi;
  /** The key clients send as `x-api-key`, when auth is `api-key`. */
  readonly apiKey: IApiKey | undefined;
  /** The method options every route (the direct S3 route included) uses. */
  readonly methodOptions: MethodOptions;

  constructor(scope: Construct, id: string, options: ResolvedOptions, target: IFunction) {
    super(scope, id);
    const auth = options.auth.rest;
    this.methodOptions = {
      authorizationType: auth === 'iam' ? AuthorizationType.IAM : AuthorizationType.NONE,
      apiKeyRequired: auth === 'api-key',
    };
    this.api = new RestApi(this, 'Api', {
      // Unique per stack: the 5xx alarm's metric is keyed by the API's name.
      restApiName: `${Stack.of(this).stackName}-quickstow`,
      description: `quickstow (${options.mode})`,
      binaryMediaTypes: ['*/*'],
      // Regional rather than edge-optimised: payloads go straight to the region that stores them
      // instead of through a CloudFront hop that adds latency to every upload.
      endpointTypes: [EndpointType.REGIONAL],
      // The API Gateway account's CloudWatch role is one per region and account; a stack that
      // creates it fights every other stack that does.
      cloudWatchRole: false,
      defaultMethodOptions: this.methodOptions,
      deployOptions: {
        stageName: restStageName,
        throttlingRateLimit: options.throttle.rateLimit,
        throttlingBurstLimit: options.throttle.burstLimit,
        tracingEnabled: options.tracing,
      },
    });
    // RestApi adds an `Endpoint` output of its own; the construct outputs every front door's URL
    // under names of its choosing, so this one would only be a duplicate.
    this.api.node.tryRemoveChild('Endpoint');

    // One integration, one invoke permission for all routes, instead of two per method.
    const integration = new LambdaIntegration(target, {
      proxy: true,
      scopePermissionToMethod: false,
    });
    for (const route of contractRoutes) {
      const resource = this.api.root.resourceForPath(route.path);
      for (const method of route.methods) resource.addMethod(method, integration);
    }

    if (auth === 'api-key') {
      this.apiKey = this.api.addApiKey('ApiKey', {
        description: 'quickstow clients send this as x-api-key',
      });
      const plan = this.api.addUsagePlan('UsagePlan', {
        description: 'quickstow clients',
        throttle: options.throttle,
        apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
      });
      plan.addApiKey(this.apiKey);
    } else {
      this.apiKey = undefined;
    }
  }
}
