// A small client for the registry's public HTTP API (fetch, JSON, problem+json errors), with
// sign-in sessions that are re-minted before their tokens expire.

export class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${method} ${path} → ${status} ${typeof body === 'string' ? body : JSON.stringify(body)}`.slice(0, 2000));
    this.name = 'ApiError';
  }
  get code(): string | undefined {
    return typeof this.body === 'object' && this.body !== null ? ((this.body as { code?: string }).code ?? undefined) : undefined;
  }
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  form?: FormData;
  headers?: Record<string, string>;
  /** Statuses returned rather than thrown (2xx always are). */
  accept?: number[];
}

export interface Response<T> {
  status: number;
  body: T;
  headers: Headers;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class Api {
  requests = 0;
  constructor(readonly base: string) {}

  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<Response<T>> {
    const headers: Record<string, string> = { accept: 'application/json', ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let payload: string | FormData | undefined;
    if (options.form) payload = options.form;
    else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(options.body);
    }
    for (let attempt = 1; ; attempt += 1) {
      let response: globalThis.Response;
      try {
        this.requests += 1;
        response = await fetch(`${this.base}${path}`, { method, headers, body: payload });
      } catch (error) {
        // Connection refused or reset: the registry may be restarting; retry a few times.
        if (attempt < 5) {
          await sleep(500 * attempt);
          continue;
        }
        const cause = (error as Error).cause;
        throw new Error(`${method} ${this.base}${path}: ${cause instanceof Error ? cause.message : String(error)}`, { cause: error });
      }
      const text = await response.text();
      let body: unknown = text;
      if ((response.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
      if ((response.status === 503 || response.status === 429) && attempt < 6) {
        const wait = Math.min(60, Number(response.headers.get('retry-after') ?? '1') || 1);
        await sleep(wait * 1000);
        continue;
      }
      if (response.ok || options.accept?.includes(response.status)) return { status: response.status, body: body as T, headers: response.headers };
      throw new ApiError(method, path, response.status, body);
    }
  }

  get<T = unknown>(path: string, token?: string): Promise<T> {
    return this.request<T>('GET', path, { token }).then((r) => r.body);
  }

  post<T = unknown>(path: string, token: string | undefined, body?: unknown, headers?: Record<string, string>): Promise<T> {
    return this.request<T>('POST', path, { token, body: body ?? {}, headers }).then((r) => r.body);
  }

  /** Every item of a keyset-paged list (`{items, nextCursor}`). */
  async all<T>(path: string, token: string): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | null = null;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const page: { items: T[]; nextCursor: string | null } = await this.get(
        `${path}${sep}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        token,
      );
      out.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }
}

/** Signs in lazily, once per account, and again when the token is past half its life. */
export class Sessions {
  private readonly tokens = new Map<string, { token: Promise<string>; renewAt: number }>();
  signIns = 0;
  constructor(private readonly api: Api) {}

  private remember(key: string, grant: Record<string, string>): Promise<string> {
    const held = this.tokens.get(key);
    if (held && Date.now() < held.renewAt) return held.token;
    const token = this.api.post<{ accessToken: string; expiresIn: number }>('/auth/token', undefined, grant).then((r) => {
      this.tokens.set(key, { token: Promise.resolve(r.accessToken), renewAt: Date.now() + (r.expiresIn * 1000) / 2 });
      return r.accessToken;
    });
    this.signIns += 1;
    this.tokens.set(key, { token, renewAt: Number.POSITIVE_INFINITY });
    token.catch(() => this.tokens.delete(key));
    return token;
  }

  user(email: string, password: string): Promise<string> {
    return this.remember(`user:${email}`, { grantType: 'password', email, password });
  }

  serviceAccount(clientId: string, clientSecret: string): Promise<string> {
    return this.remember(`sa:${clientId}`, { grantType: 'client_credentials', clientId, clientSecret });
  }
}

/** Runs `fn` over `items` with at most `limit` at a time; rejects with the first error. */
export async function eachLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  });
  await Promise.all(workers);
}
