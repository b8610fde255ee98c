/**
 * The quickstow CDK app: one QuickstowStack, configured from context.
 *
 *   npx cdk synth                                   # defaults: after-response, REST API, IAM auth
 *   npx cdk deploy -c mode=spool -c api=rest,http   # any option: see lib/app-context.ts
 *
 * The stack is environment-agnostic on purpose (no `env`): synthesis then needs no AWS account,
 * no credentials and no context lookups, and `cdk deploy` deploys to the account and region of
 * the credentials it runs with.
 */
import { App } from 'aws-cdk-lib';
import { stackPropsFromContext } from '../lib/app-context.js';
import { QuickstowStack } from '../lib/stack.js';

const app = new App();
const { stackName, props } = stackPropsFromContext(app.node.getAllContext());
new QuickstowStack(app, stackName, props);
app.synth();
