/**
 * Synthesises a QuickstowApi in a fresh app, with cdk.json's feature flags (so the tests see the
 * template `cdk synth` produces) and stand-in bundle zips made in a temporary folder (so the
 * tests do not depend on `npm run build:lambda`; bundles.test.ts checks the real ones).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Template } from 'aws-cdk-lib/assertions';
import type { QuickstowApiProps } from '../../lib/props.js';
import { QuickstowApi } from '../../lib/quickstow-api.js';

export const infraDir = path.resolve(import.meta.dirname, '..', '..');

/** The `context` of cdk.json: the feature flags every synthesis here runs with. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(infraDir, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

/** The smallest valid zip: an end-of-central-directory record and nothing else. */
const emptyZip = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);

let zips: { functionZipPath: string; extensionLayerZipPath: string } | undefined;

/** Stand-in bundles, made once per test process and removed when it exits. */
export function placeholderZips(): { functionZipPath: string; extensionLayerZipPath: string } {
  if (!zips) {
    const dir = mkdtempSync(path.join(tmpdir(), 'quickstow-infra-test-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    const functionZipPath = path.join(dir, 'function.zip');
    // Different bytes, so the two assets get different hashes, as the real ones do.
    const extensionLayerZipPath = path.join(dir, 'extension-layer.zip');
    writeFileSync(functionZipPath, emptyZip);
    writeFileSync(extensionLayerZipPath, Buffer.concat([emptyZip, Buffer.from([0])]));
    zips = { functionZipPath, extensionLayerZipPath };
  }
  return zips;
}

export const stackName = 'Test';

export interface Synthesised {
  readonly template: Template;
  readonly annotations: Annotations;
  readonly construct: QuickstowApi;
  readonly stack: Stack;
}

/** A QuickstowApi with these props (plus the stand-in bundles) in an environment-agnostic stack. */
export function synth(
  props: QuickstowApiProps = {},
  build?: (stack: Stack) => QuickstowApiProps,
): Synthesised {
  const app = new App({ context: cdkJsonContext() });
  const stack = new Stack(app, stackName);
  const construct = new QuickstowApi(stack, 'Quickstow', {
    ...placeholderZips(),
    ...props,
    ...build?.(stack),
  });
  return {
    template: Template.fromStack(stack),
    annotations: Annotations.fromStack(stack),
    construct,
    stack,
  };
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

/** The resources of a type, each with its Properties (`{}` when the template has none). */
export function resourcesOf(template: Template, type: string): Resources {
  const found = template.findResources(type) as Record<
    string,
    { Type: string; Properties?: Record<string, unknown> }
  >;
  return Object.fromEntries(
    Object.entries(found).map(([id, resource]) => [
      id,
      { ...resource, Properties: resource.Properties ?? {} },
    ]),
  );
}

/** The only resource of a type, failing loudly if there is not exactly one. */
export function only(
  template: Template,
  type: string,
): { id: string; properties: Record<string, unknown> } {
  const found = Object.entries(resourcesOf(template, type));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  const [id, resource] = found[0] as [string, Resources[string]];
  return { id, properties: resource.Properties };
}

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Every statement of the IAM policies attached to the role with this logical id. */
export function statementsOfRole(template: Template, roleId: string): Statement[] {
  const statements: Statement[] = [];
  for (const policy of Object.values(resourcesOf(template, 'AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles ?? []) as { Ref?: string }[];
    if (!roles.some((role) => role.Ref === roleId)) continue;
    const document = policy.Properties.PolicyDocument as { Statement: Statement[] };
    statements.push(...document.Statement);
  }
  return statements;
}

export function actionsOf(statement: Statement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

/** The logical id of the role a Lambda function runs as. */
export function roleOfFunction(properties: Record<string, unknown>): string {
  const role = properties.Role as { 'Fn::GetAtt': [string, string] };
  return role['Fn::GetAtt'][0];
}

/** `{ "Fn::GetAtt": [id, "Arn"] }` followed by a suffix, as CDK writes bucket object ARNs. */
export function arnWithSuffix(id: string, suffix: string): unknown {
  return { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, suffix]] };
}
