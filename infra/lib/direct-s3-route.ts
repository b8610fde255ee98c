import {
  AwsIntegration,
  type MethodOptions,
  PassthroughBehavior,
  type Resource,
  type RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { PayloadStore } from './bucket.js';
import { grantDirectPut } from './policies.js';

/**
 * `PUT /{path}/{name}` on the REST API writes the request body to `s3://{bucket}/{prefix}{name}`
 * through an AWS service integration: no Lambda, so no 6 MB invoke limit (API Gateway's 10 MB
 * applies) and no function cost, but also no receipt, no id, no digest check and no
 * idempotency. API Gateway signs the S3 request with a role of its own that may only PutObject
 * under the route's prefix.
 */
export class DirectS3Route extends Construct {
  readonly role: Role;
  readonly resource: Resource;

  constructor(
    scope: Construct,
    id: string,
    api: RestApi,
    methodOptions: MethodOptions,
    store: PayloadStore,
    route: { readonly prefix: string; readonly path: string },
  ) {
    super(scope, id);
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      description: `quickstow direct route: PutObject under ${route.prefix} only`,
    });
    grantDirectPut(this.role, store, route.prefix);

    const integration = new AwsIntegration({
      service: 's3',
      integrationHttpMethod: 'PUT',
      path: `${store.bucket.bucketName}/${route.prefix}{name}`,
      options: {
        credentialsRole: this.role,
        // With binaryMediaTypes */* the body reaches S3 as the client's bytes, untransformed.
        passthroughBehavior: PassthroughBehavior.WHEN_NO_TEMPLATES,
        requestParameters: {
          'integration.request.path.name': 'method.request.path.name',
          'integration.request.header.Content-Type': 'method.request.header.Content-Type',
        },
        integrationResponses: [
          {
            statusCode: '200',
            responseParameters: {
              'method.response.header.ETag': 'integration.response.header.ETag',
            },
          },
          { statusCode: '400', selectionPattern: '4\\d{2}' },
          { statusCode: '502', selectionPattern: '5\\d{2}' },
        ],
      },
    });

    this.resource = api.root.addResource(route.path).addResource('{name}');
    this.resource.addMethod('PUT', integration, {
      ...methodOptions,
      requestParameters: {
        'method.request.path.name': true,
        'method.request.header.Content-Type': false,
      },
      methodResponses: [
        { statusCode: '200', responseParameters: { 'method.response.header.ETag': true } },
        { statusCode: '400' },
        { statusCode: '502' },
      ],
    });
  }
}
