// Reads request bodies with a size limit, before anything acts on the request, so an oversized or malformed body is
// rejected with nothing written.
import { malformedJson, payloadTooLarge } from './errors.js';

/** Default body limit: 1 MiB, enough for any orchestration input that belongs in history. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export async function readBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limit) throw payloadTooLarge(limit);
  if (!request.body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw payloadTooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The JSON value of a body, or undefined for an empty one. */
export function parseJsonBody(bytes: Uint8Array, what: string): unknown {
  const text = new TextDecoder().decode(bytes);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw malformedJson(what, err);
  }
}
