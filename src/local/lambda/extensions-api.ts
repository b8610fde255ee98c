/**
 * The Extensions API (2020-01-01) of one sandbox: registration, the per-extension event queue
 * behind `event/next`, and the error reports. Like RuntimeApi it only records and reports what
 * the extensions do (ExtensionsApiEvents); the sandbox decides what it means.
 *
 *   POST /2020-01-01/extension/register     200 + Lambda-Extension-Identifier
 *                                           | 403 Extension.RegistrationClosed
 *                                           | 403 Extension.InvalidEventType | 403 Extension.TooManyExtensions
 *   GET  /2020-01-01/extension/event/next   long poll → an INVOKE or SHUTDOWN event
 *   POST /2020-01-01/extension/init/error   202
 *   POST /2020-01-01/extension/exit/error   202
 *
 * External or internal: an extension is external when its name is the file name of one of the
 * executables started from the extensions folder (and that one has not registered yet), as the
 * Lambda service decides it; any other name is an internal extension (living in the runtime
 * process), which may not subscribe to SHUTDOWN.
 *
 * Events are queued per extension and handed out at its next `next`: an INVOKE can reach an
 * extension after the runtime already answered, so "done with this invoke" is a latch (the
 * extension called next after its INVOKE was handed to it), never a one-shot callback.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  type ApiReply,
  apiError,
  headerValue,
  parseJsonBody,
  type Responder,
  type Route,
} from './api-server.js';
import { type ReportedError, reportedError } from './runtime-api.js';

/** Lambda's limit on extensions per function. */
export const maxExtensions = 10;

export type ExtensionEventType = 'INVOKE' | 'SHUTDOWN';
export type ShutdownReason = 'spindown' | 'timeout' | 'failure';

export interface InvokeEvent {
  eventType: 'INVOKE';
  deadlineMs: number;
  requestId: string;
  invokedFunctionArn: string;
  tracing: { type: 'X-Amzn-Trace-Id'; value: string };
}

export interface ShutdownEvent {
  eventType: 'SHUTDOWN';
  shutdownReason: ShutdownReason;
  deadlineMs: number;
}

export type ExtensionEvent = InvokeEvent | ShutdownEvent;

export interface RegisteredExtension {
  id: string;
  name: string;
  external: boolean;
  events: ReadonlySet<ExtensionEventType>;
}

export interface FunctionMetadata {
  functionName: string;
  functionVersion: string;
  handler: string;
}

export interface ExtensionsApiEvents {
  onRegister(extension: RegisteredExtension): void;
  /** The extension called next and has nothing queued: it is idle. */
  onIdle(extension: RegisteredExtension): void;
  onInitError(extension: RegisteredExtension, error: ReportedError): void;
  onExitError(extension: RegisteredExtension, error: ReportedError): void;
}

interface ExtensionRecord extends RegisteredExtension {
  queue: ExtensionEvent[];
  parkedNext: Responder | undefined;
}

const nameHeader = 'Lambda-Extension-Name';
const identifierHeader = 'Lambda-Extension-Identifier';
const errorTypeHeader = 'Lambda-Extension-Function-Error-Type';
const eventTypes: readonly string[] = ['INVOKE', 'SHUTDOWN'];

export class ExtensionsApi {
  private readonly byId = new Map<string, ExtensionRecord>();
  private registrationOpen = true;

  constructor(
    private readonly metadata: FunctionMetadata,
    /** File names of the external extension executables started for this sandbox. */
    private readonly externalNames: readonly string[],
    private readonly events: ExtensionsApiEvents,
  ) {}

  get registered(): RegisteredExtension[] {
    return [...this.byId.values()];
  }

  /** Called when the runtime first calls next: no registration after that. */
  closeRegistration(): void {
    this.registrationOpen = false;
  }

  /** Has every external executable registered under its file name? */
  get allExternalsRegistered(): boolean {
    const names = new Set([...this.byId.values()].filter((e) => e.external).map((e) => e.name));
    return this.externalNames.every((name) => names.has(name));
  }

  /** Is every registered extension parked on next with nothing queued? */
  get allIdle(): boolean {
    for (const extension of this.byId.values()) {
      if (extension.parkedNext === undefined || extension.queue.length > 0) return false;
    }
    return true;
  }

  /** The extensions still working (not parked on next, or with an event queued). */
  get busy(): RegisteredExtension[] {
    return [...this.byId.values()].filter((e) => e.parkedNext === undefined || e.queue.length > 0);
  }

  /** Queues INVOKE for every extension subscribed to it, and hands it to those already waiting. */
  broadcastInvoke(event: InvokeEvent): void {
    for (const extension of this.byId.values()) {
      if (extension.events.has('INVOKE')) this.enqueue(extension, event);
    }
  }

  /**
   * Queues SHUTDOWN for the external extensions subscribed to it (internal ones cannot be),
   * dropping whatever INVOKE they have not picked up. Returns how many will get it.
   */
  broadcastShutdown(event: ShutdownEvent): number {
    let count = 0;
    for (const extension of this.byId.values()) {
      if (!extension.external || !extension.events.has('SHUTDOWN')) continue;
      extension.queue = [];
      this.enqueue(extension, event);
      count++;
    }
    return count;
  }

  /** Answers every held long poll, so the connections can go (the sandbox is ending). */
  abort(): void {
    for (const extension of this.byId.values()) {
      extension.parkedNext?.send(
        apiError(500, 'ServiceUnavailable', 'The sandbox is shutting down'),
      );
      extension.parkedNext = undefined;
    }
  }

  routes(): Route[] {
    return [
      {
        method: 'POST',
        pattern: /^\/2020-01-01\/extension\/register$/,
        handle: (request, responder) => {
          const name = headerValue(request.headers, nameHeader) ?? '';
          const result = this.register(name, parseJsonBody(request.body));
          if ('reply' in result) return void responder.send(result.reply);
          responder.send({
            status: 200,
            headers: { [identifierHeader]: result.extension.id },
            body: this.metadata,
          });
          this.events.onRegister(result.extension);
        },
      },
      {
        method: 'GET',
        pattern: /^\/2020-01-01\/extension\/event\/next$/,
        handle: (request, responder) => {
          const found = this.identify(request.headers);
          if ('reply' in found) return void responder.send(found.reply);
          const extension = found.extension;
          const event = extension.queue.shift();
          if (event !== undefined) {
            responder.send(eventReply(event));
            return;
          }
          extension.parkedNext = responder;
          this.events.onIdle(extension);
        },
      },
      {
        method: 'POST',
        pattern: /^\/2020-01-01\/extension\/init\/error$/,
        handle: (request, responder) => {
          const found = this.identify(request.headers);
          if ('reply' in found) return void responder.send(found.reply);
          const error = reportedError(request.body, headerValue(request.headers, errorTypeHeader));
          responder.send({ status: 202, body: { status: 'OK' } });
          this.events.onInitError(found.extension, error);
        },
      },
      {
        method: 'POST',
        pattern: /^\/2020-01-01\/extension\/exit\/error$/,
        handle: (request, responder) => {
          const found = this.identify(request.headers);
          if ('reply' in found) return void responder.send(found.reply);
          const error = reportedError(request.body, headerValue(request.headers, errorTypeHeader));
          responder.send({ status: 202, body: { status: 'OK' } });
          this.events.onExitError(found.extension, error);
        },
      },
    ];
  }

  private register(
    name: string,
    body: unknown,
  ): { extension: RegisteredExtension } | { reply: ApiReply } {
    const refuse = (errorType: string, message: string) => ({
      reply: apiError(403, errorType, message),
    });
    if (name === '') return refuse('Extension.InvalidExtensionName', 'Empty extension name');
    const events = (body as { events?: unknown } | undefined)?.events;
    if (!Array.isArray(events) || !events.every((e) => typeof e === 'string')) {
      return refuse('InvalidRequestFormat', 'The body must be {"events": ["INVOKE", "SHUTDOWN"]}');
    }
    const unknown = events.find((e) => !eventTypes.includes(e));
    if (unknown !== undefined) {
      return refuse('Extension.InvalidEventType', `${unknown}: unknown event type`);
    }
    if (!this.registrationOpen) {
      return refuse('Extension.RegistrationClosed', 'Extension registration closed already');
    }
    const taken = [...this.byId.values()].some((e) => e.name === name);
    if (taken) {
      return refuse(
        'Extension.InvalidExtensionState',
        'Extension with this name already registered',
      );
    }
    const external = this.externalNames.includes(name);
    if (!external && events.includes('SHUTDOWN')) {
      return refuse(
        'Extension.InvalidEventType',
        'SHUTDOWN: internal extensions cannot subscribe to SHUTDOWN',
      );
    }
    if (this.byId.size >= maxExtensions) {
      return refuse('Extension.TooManyExtensions', `Extension limit (${maxExtensions}) reached`);
    }
    const extension: ExtensionRecord = {
      id: randomUUID(),
      name,
      external,
      events: new Set(events as ExtensionEventType[]),
      queue: [],
      parkedNext: undefined,
    };
    this.byId.set(extension.id, extension);
    return { extension };
  }

  private identify(
    headers: IncomingHttpHeaders,
  ): { extension: ExtensionRecord } | { reply: ApiReply } {
    const id = headerValue(headers, identifierHeader);
    if (id === undefined || id === '') {
      return {
        reply: apiError(403, 'Extension.MissingExtensionIdentifier', `Missing ${identifierHeader}`),
      };
    }
    const extension = this.byId.get(id);
    if (extension === undefined) {
      return {
        reply: apiError(403, 'Extension.UnknownExtensionIdentifier', `Unknown extension ${id}`),
      };
    }
    return { extension };
  }

  private enqueue(extension: ExtensionRecord, event: ExtensionEvent): void {
    const parked = extension.parkedNext;
    if (parked?.open && extension.queue.length === 0) {
      extension.parkedNext = undefined;
      parked.send(eventReply(event));
      return;
    }
    // Not waiting (busy, or its poll's connection went away): it gets the event at its next call.
    extension.parkedNext = undefined;
    extension.queue.push(event);
  }
}

function eventReply(event: ExtensionEvent): ApiReply {
  return {
    status: 200,
    headers: { 'Lambda-Extension-Event-Identifier': randomUUID() },
    body: event,
  };
}
