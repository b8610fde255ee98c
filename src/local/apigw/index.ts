/**
 * The API Gateway half of `quickstow local`: the front server, and the pure pieces it is made of
 * (event builders and result mapping), exported for the Lambda handler's tests and fixtures.
 */

export type { ApiKind, GatewayFailure, GatewayResponse } from './gateway-response.js';
export { buildHttpApiEvent, type HttpApiEvent, type HttpApiSettings } from './http-event.js';
export type { GatewayRequestIds } from './ids.js';
export { newHttpApiRequestIds, newRestRequestIds } from './ids.js';
export type { FrontLogEntry, InvokeSummary } from './log.js';
export { type ApiGatewayOptions, apiGatewayDefaults } from './options.js';
export { type Answer, type AnswerContext, answerForOutcome } from './outcome.js';
export type { GatewayRequest, HeaderPairs } from './request.js';
export { buildRestEvent, type RestApiEvent, type RestApiSettings } from './rest-event.js';
export { type RunningApiGateway, startApiGateway } from './server.js';
