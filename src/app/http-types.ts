// @azure/functions 4.x HttpRequest and HttpResponse: fetch-style wrappers over the platform Request and Response, so
// Azure HTTP functions run unchanged. The body is read once by the host (with its size limit) and kept as bytes.

type BodyInit = ConstructorParameters<typeof Response>[0];

export type HeadersInitLike = Record<string, string> | Headers | [string, string][];

export interface HttpRequestUser {
  readonly type: 'AppService' | 'StaticWebApps';
  readonly id: string;
  readonly username: string;
  readonly identityProvider: string;
  readonly claimsPrincipalData: Record<string, unknown>;
}

export interface HttpRequestInit {
  readonly method?: string;
  readonly url: string;
  readonly body?: { string?: string; bytes?: Uint8Array };
  readonly headers?: HeadersInitLike;
  readonly query?: Record<string, string>;
  readonly params?: Record<string, string>;
}

/** Bytes of a body, or null: `Request` rejects a body on GET/HEAD, so those carry none. */
function bodyOf(method: string, init: HttpRequestInit['body']): Uint8Array | null {
  if (method === 'GET' || method === 'HEAD' || !init) return null;
  if (init.bytes) return init.bytes;
  if (init.string !== undefined) return new TextEncoder().encode(init.string);
  return null;
}

export class HttpRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Headers;
  readonly query: URLSearchParams;
  readonly params: Record<string, string>;
  readonly user: HttpRequestUser | null = null;
  readonly #bytes: Uint8Array | null;
  readonly #request: Request;

  constructor(init: HttpRequestInit) {
    this.method = (init.method ?? 'GET').toUpperCase();
    this.url = init.url;
    this.headers = new Headers(init.headers);
    const url = new URL(init.url);
    for (const [key, value] of Object.entries(init.query ?? {})) url.searchParams.set(key, value);
    this.query = url.searchParams;
    this.params = { ...init.params };
    this.#bytes = bodyOf(this.method, init.body);
    this.#request = this.#newRequest();
  }

  #newRequest(): Request {
    return new Request(this.url, { method: this.method, headers: this.headers, body: this.#bytes });
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.#request.body;
  }
  get bodyUsed(): boolean {
    return this.#request.bodyUsed;
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#request.arrayBuffer();
  }
  blob(): Promise<Blob> {
    return this.#request.blob();
  }
  formData(): Promise<FormData> {
    return this.#request.formData();
  }
  /** Parses the body as JSON; an empty body throws, as fetch does. */
  json(): Promise<unknown> {
    return this.#request.json();
  }
  text(): Promise<string> {
    return this.#request.text();
  }
  clone(): HttpRequest {
    const body = this.#bytes ? { bytes: this.#bytes } : undefined;
    return new HttpRequest({ method: this.method, url: this.url, headers: this.headers, params: this.params, body });
  }
}

export interface Cookie {
  readonly name: string;
  readonly value: string;
  readonly domain?: string;
  readonly path?: string;
  readonly expires?: Date | number;
  readonly secure?: boolean;
  readonly httpOnly?: boolean;
  readonly sameSite?: 'Strict' | 'Lax' | 'None';
  readonly maxAge?: number;
}

export interface HttpResponseInit {
  readonly status?: number;
  readonly body?: BodyInit | null;
  readonly jsonBody?: unknown;
  readonly headers?: HeadersInitLike;
  readonly cookies?: readonly Cookie[];
  readonly enableContentNegotiation?: boolean;
}

export class HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly cookies: readonly Cookie[];
  readonly #response: Response;

  constructor(init: HttpResponseInit = {}) {
    this.status = init.status ?? 200;
    this.headers = new Headers(init.headers);
    this.cookies = init.cookies ?? [];
    let body: BodyInit | null = init.body ?? null;
    if (init.jsonBody !== undefined) {
      body = JSON.stringify(init.jsonBody);
      if (!this.headers.has('content-type')) this.headers.set('content-type', 'application/json');
    }
    // Response rejects a body with 204/304; drop it rather than fail the function.
    if (this.status === 204 || this.status === 304) body = null;
    this.#response = new Response(body, { status: this.status, headers: this.headers });
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.#response.body;
  }
  get bodyUsed(): boolean {
    return this.#response.bodyUsed;
  }
  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#response.arrayBuffer();
  }
  json(): Promise<unknown> {
    return this.#response.json();
  }
  text(): Promise<string> {
    return this.#response.text();
  }
  clone(): HttpResponse {
    const body = this.#response.clone().body;
    return new HttpResponse({ status: this.status, headers: this.headers, cookies: this.cookies, body });
  }
  /** The platform Response the host sends (internal). */
  toResponse(): Response {
    return this.#response;
  }
}
