/** The fetch signature the provider takes (the global `fetch` fits). */
export type GlmFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * Wraps `fetch` for the openai SDK. GLM's top-level `request_id` on an error body (provider-wire.md
 * §1.9, "sometimes appears") is copied into `body.error`, the only part the SDK keeps; successful
 * responses pass through untouched. Rejections are re-created as errors of this realm (see below).
 */
export function withGlmErrorRequestId(baseFetch: GlmFetch): GlmFetch {
  const wrapped: GlmFetch = async (input, init) => {
    let response: Response;
    try {
      response = await baseFetch(input, init);
    } catch (error) {
      throw asLocalError(error);
    }
    if (response.ok || !(response.headers.get('content-type') ?? '').includes('json')) return response;
    const text = await response.text();
    const headers = new Headers(response.headers);
    // The body is re-encoded below, so the original length and encoding no longer apply.
    headers.delete('content-length');
    headers.delete('content-encoding');
    return new Response(copyRequestIdIntoError(text), { status: response.status, statusText: response.statusText, headers });
  };
  // Naming the Response class spares the SDK its FormData probe (a `fetch('data:,')` through the
  // caller's fetch before the first upload); Node's fetch encodes FormData natively.
  return Object.assign(wrapped, { Response });
}

function copyRequestIdIntoError(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof body !== 'object' || body === null) return text;
  const { error, request_id: requestId } = body as { error?: unknown; request_id?: unknown };
  if (typeof requestId !== 'string' || typeof error !== 'object' || error === null || 'request_id' in error) return text;
  return JSON.stringify({ ...body, error: { ...error, request_id: requestId } });
}

/**
 * A fetch rejection as an `Error` of this realm. The SDK tells aborts and timeouts apart by
 * `instanceof Error` and `name === 'AbortError'`; an error from another realm (a fetch handed in from
 * a VM context, as under Jest) would otherwise reach it as `Error: {}`, losing name and message.
 */
function asLocalError(error: unknown): unknown {
  if (error instanceof Error || typeof error !== 'object' || error === null) return error;
  const { name, message, cause } = error as { name?: unknown; message?: unknown; cause?: unknown };
  const local = new Error(typeof message === 'string' ? message : String(error), { cause: cause ?? error });
  if (typeof name === 'string') local.name = name;
  return local;
}
