// The REST client: the `{status, data}` envelope, the access token with one transparent
// refresh on 401, and an ApiError carrying the API's own `message` for every failure.
import { clearSession, getSession, replaceAccessToken } from "./session.js";

const TIMEOUT_MS = 20000;
const UPLOAD_TIMEOUT_MS = 300000; // an import validates every challenge on the engines first

export class ApiError extends Error {
  constructor(message, status = 0, errors = null) {
    super(message);
    this.status = status; // 0: no answer from the server
    this.errors = errors; // per-item errors of a problem-set import: [{index, name, message}]
  }
}

const JSON_TYPE = "application/json";

let pendingRefresh = null;
let onSessionExpired = () => {};

/** The router registers what to do when the refresh token no longer works. */
export function setSessionExpiredHandler(handler) {
  onSessionExpired = handler;
}

/** One HTTP call. A FormData body goes as multipart; a non-JSON `accept` answers {blob, filename}. */
async function send(method, path, body, token, { accept = JSON_TYPE, timeoutMs = TIMEOUT_MS } = {}) {
  const isForm = body instanceof FormData;
  const headers = { Accept: accept };
  if (body !== undefined && !isForm) headers["Content-Type"] = JSON_TYPE;
  if (token) headers.Authorization = `Bearer ${token}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers,
      body: body === undefined || isForm ? body : JSON.stringify(body),
      signal: controller.signal,
    });
  } catch (error) {
    throw new ApiError(
      error.name === "AbortError"
        ? "The server did not answer in time. Check your connection and try again."
        : "Cannot reach the server. Check your connection and try again.",
    );
  } finally {
    clearTimeout(timer);
  }
  if (response.ok && accept !== JSON_TYPE) return { blob: await response.blob(), filename: attachmentName(response) };
  let envelope = null;
  try {
    envelope = await response.json();
  } catch {
    // not JSON (a proxy's error page, a cut connection): handled below
  }
  if (!response.ok || envelope?.status !== "success") {
    const message = envelope?.message || `The server answered with HTTP ${response.status}.`;
    throw new ApiError(message, response.status, envelope?.errors || null);
  }
  return envelope;
}

function attachmentName(response) {
  return (response.headers.get("Content-Disposition") || "").match(/filename="?([^";]+)"?/)?.[1] || "download";
}

/** A new access token from the refresh token; concurrent callers share one request. */
export function refreshAccessToken() {
  if (!pendingRefresh) {
    const refreshToken = getSession()?.refresh_token;
    pendingRefresh = (async () => {
      if (!refreshToken) throw new ApiError("Please sign in.", 401);
      try {
        const { data } = await send("POST", "/auth/refresh", undefined, refreshToken);
        replaceAccessToken(data.access_token);
        return data.access_token;
      } catch (error) {
        if (error.status === 401 || error.status === 422) {
          clearSession();
          onSessionExpired("Your session has expired. Please sign in again.");
        }
        throw error;
      }
    })().finally(() => {
      pendingRefresh = null;
    });
  }
  return pendingRefresh;
}

/** The full envelope (`data` and, on lists, `meta`); retries once after refreshing an expired token. */
export async function request(method, path, body, options = {}) {
  const token = getSession()?.access_token;
  try {
    return await send(method, path, body, token, options);
  } catch (error) {
    if (error.status !== 401 || !token) throw error;
    const fresh = await refreshAccessToken();
    return send(method, path, body, fresh, options);
  }
}

export const api = {
  get: async (path) => (await request("GET", path)).data,
  post: async (path, body) => (await request("POST", path, body ?? {})).data,
  put: async (path, body) => (await request("PUT", path, body)).data,
  delete: async (path) => (await request("DELETE", path)).data,
  /** POST a multipart form (a file upload). */
  upload: async (path, formData) => (await request("POST", path, formData, { timeoutMs: UPLOAD_TIMEOUT_MS })).data,
  /** A file the API serves (it needs the token, so a plain link cannot fetch it) → {blob, filename}. */
  download: (path, accept) => request("GET", path, undefined, { accept }),
  page: async (path) => {
    const { data, meta } = await request("GET", path);
    return { items: data, meta };
  },
};

/** Calls that must not trigger a refresh (signing in, signing out). */
export const publicApi = {
  post: async (path, body, token) => (await send("POST", path, body ?? {}, token)).data,
};

/** "/challenges" + {q: "x", tag: "", page: 0} → "/challenges?q=x&page=0" (empty values left out). */
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") query.set(name, String(value));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}
