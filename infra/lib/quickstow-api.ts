/**
 * `QuickstowApi`: quickstow on AWS in one construct. A request enters through one or more front
 * doors (REST API, HTTP API, Function URL), reaches the quickstow function, and its payload is
 * stored in a private S3 bucket under one prefix. Options add the spool on EFS (with the VPC and
 * the sweeper it needs), the direct API Gateway → S3 route, provisioned concurrency and
 * tracing. Every part lives in its own module; this one only wires them and adds the outputs.
 */
import { Annotations, CfnOutput } from 'aws-cdk-lib';
import type { IApiKey, RestApi } from 'aws-cdk-lib/aws-apigateway';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import {
  type Alias,
  type FunctionUrl,
  FunctionUrlAuthType,
  type Function as LambdaFunction,
} from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { QuickstowAlarms } from './alarms.js';
import { ApiFunction } from './api-function.js';
import { PayloadBucket } from './bucket.js';
import { DirectS3Route } from './direct-s3-route.js';
import { QuickstowHttpApi } from './http-api.js';
import { type ResolvedOptions, resolveOptions } from './options.js';
import type { QuickstowApiProps } from './props.js';
import { QuickstowRestApi } from './rest-api.js';
import { SpoolNetwork } from './spool-network.js';
import { Sweeper } from './sweeper.js';

/** quickstow's whole AWS deployment; see {@link QuickstowApiProps} for the options. */
export class QuickstowApi extends Construct {
  /** The props with every default filled in. */
  readonly options: ResolvedOptions;
  /** Where payloads are stored. */
  readonly bucket: IBucket;
  /** The quickstow API function. */
  readonly handler: LambdaFunction;
  /** The alias with provisioned concurrency, when `provisionedConcurrency` is set. */
  readonly alias: Alias | undefined;
  /** The REST API, when `api` includes `rest`. */
  readonly restApi: RestApi | undefined;
  /** The REST API's key, when `auth.rest` is `api-key`. */
  readonly apiKey: IApiKey | undefined;
  /** The HTTP API, when `api` includes `http`. */
  readonly httpApi: HttpApi | undefined;
  /** The HTTP API's URL (its `$default` stage). */
  readonly httpApiUrl: string | undefined;
  /** The Function URL, when `api` includes `function-url`. */
  readonly functionUrl: FunctionUrl | undefined;
  /** The VPC and EFS, in spool mode or with `efsFallback`. */
  readonly spool: SpoolNetwork | undefined;
  /** The spool sweeper, whenever there is a spool. */
  readonly sweeper: LambdaFunction | undefined;
  /** The API Gateway → S3 route, when `directS3Route` is set. */
  readonly directS3Route: DirectS3Route | undefined;
  /** Every alarm the construct created, e.g. to add actions or put them on a dashboard. */
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: QuickstowApiProps = {}) {
    super(scope, id);
    const options = resolveOptions(props);
    this.options = options;
    for (const warning of options.warnings) {
      Annotations.of(this).addWarningV2('quickstow:options', warning);
    }

    const store = new PayloadBucket(this, 'Payloads', options);
    this.bucket = store.bucket;
    this.spool = options.spoolInfra ? new SpoolNetwork(this, 'Spool', options) : undefined;
    const fn = new ApiFunction(this, 'Api', options, store, this.spool);
    this.handler = fn.function;
    this.alias = fn.alias;
    this.sweeper = this.spool
      ? new Sweeper(this, 'Sweeper', options, store, this.spool).function
      : undefined;

    let rest: QuickstowRestApi | undefined;
    if (options.api.has('rest')) {
      rest = new QuickstowRestApi(this, 'Rest', options, fn.target);
      new CfnOutput(this, 'RestApiUrl', {
        description: 'REST API base URL: POST payloads to {url}payloads',
        value: rest.api.url,
      });
      if (rest.apiKey) {
        new CfnOutput(this, 'ApiKeyId', {
          description: 'aws apigateway get-api-key --include-value --api-key {id} shows the key',
          value: rest.apiKey.keyId,
        });
      }
    }
    this.restApi = rest?.api;
    this.apiKey = rest?.apiKey;

    this.directS3Route =
      rest && options.directS3Route
        ? new DirectS3Route(
            this,
            'DirectS3',
            rest.api,
            rest.methodOptions,
            store,
            options.directS3Route,
          )
        : undefined;
    if (rest && options.directS3Route) {
      new CfnOutput(this, 'DirectS3RouteUrl', {
        description: `PUT {url}/{name} stores s3://bucket/${options.directS3Route.prefix}{name}, no Lambda`,
        value: rest.api.urlForPath(`/${options.directS3Route.path}`),
      });
    }

    if (options.api.has('http')) {
      const http = new QuickstowHttpApi(this, 'Http', options, fn.target);
      this.httpApi = http.api;
      this.httpApiUrl = http.stage.url;
      new CfnOutput(this, 'HttpApiUrl', {
        description: 'HTTP API base URL: POST payloads to {url}payloads',
        value: http.stage.url,
      });
    } else {
      this.httpApi = undefined;
      this.httpApiUrl = undefined;
    }

    if (options.api.has('function-url')) {
      this.functionUrl = fn.target.addFunctionUrl({
        authType:
          options.auth.functionUrl === 'iam'
            ? FunctionUrlAuthType.AWS_IAM
            : FunctionUrlAuthType.NONE,
      });
      new CfnOutput(this, 'FunctionUrl', {
        description: 'Function URL: POST payloads to {url}payloads',
        value: this.functionUrl.url,
      });
    } else {
      this.functionUrl = undefined;
    }

    new CfnOutput(this, 'BucketName', {
      description: `Payloads are stored under s3://{bucket}/${options.prefix}yyyy/mm/dd/{id}`,
      value: this.bucket.bucketName,
    });

    this.alarms = new QuickstowAlarms(this, 'Alarms', options, {
      handler: this.handler,
      sweeper: this.sweeper,
      restApi: this.restApi,
      httpApi: this.httpApi,
      functionUrl: this.functionUrl !== undefined,
    }).alarms;
  }
}
