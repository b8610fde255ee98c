/**
 * Media-type tests API Gateway applies to bodies: REST APIs compare the request's Content-Type
 * (and, for responses, the first Accept type) with the API's `binaryMediaTypes`; HTTP APIs and
 * Function URLs pass text as text and base64-encode everything else.
 */

/** `type/subtype` in lower case, parameters dropped; undefined for a missing or empty value. */
export function essence(mediaType: string | undefined): string | undefined {
  const bare = mediaType?.split(';')[0]?.trim().toLowerCase();
  return bare === undefined || bare === '' ? undefined : bare;
}

/** The first media type of an Accept header: the only one API Gateway looks at. */
export function firstAcceptType(accept: string | undefined): string | undefined {
  return essence(accept?.split(',')[0]);
}

/**
 * Does a media type match one of `binaryMediaTypes` (entries like `image/png`, `image/*`, `*\/*`)?
 * A missing media type matches only the catch-all `*\/*`: that is the setting DESIGN.md asks
 * deployments for, and it must carry every body, typed or not, as binary.
 */
export function matchesBinaryMediaTypes(
  mediaType: string | undefined,
  binaryMediaTypes: readonly string[],
): boolean {
  const actual = essence(mediaType);
  return binaryMediaTypes.some((entry) => {
    const pattern = essence(entry);
    if (pattern === '*/*') return true;
    if (actual === undefined || pattern === undefined) return false;
    if (pattern.endsWith('/*')) return actual.startsWith(pattern.slice(0, -1));
    return actual === pattern;
  });
}

/**
 * Bodies an HTTP API or Function URL hands to Lambda as plain text ("anything not text/JSON/XML
 * arrives base64-encoded", LAMBDA.md). Form posts (`application/x-www-form-urlencoded`) are not
 * in the list: HTTP APIs are known to base64-encode them.
 */
export function isTextMediaType(mediaType: string | undefined): boolean {
  const actual = essence(mediaType);
  if (actual === undefined) return false;
  if (actual.startsWith('text/')) return true;
  if (actual.endsWith('+json') || actual.endsWith('+xml')) return true;
  return ['application/json', 'application/xml', 'application/javascript'].includes(actual);
}
