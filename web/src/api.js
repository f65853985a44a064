// The REST client: the `{status, data}` envelope, the access token with one transparent
// refresh on 401, and an ApiError carrying the API's own `message` for every failure.
import { clearSession, getSession, replaceAccessToken } from "./session.js";

const TIMEOUT_MS = 20000;

export class ApiError extends Error {
  constructor(message, status = 0) {
    super(message);
    this.status = status; // 0: no answer from the server
  }
}

let pendingRefresh = null;
let onSessionExpired = () => {};

/** The router registers what to do when the refresh token no longer works. */
export function setSessionExpiredHandler(handler) {
  onSessionExpired = handler;
}

async function send(method, path, body, token) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  let response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
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
  let envelope = null;
  try {
    envelope = await response.json();
  } catch {
    // not JSON (a proxy's error page, a cut connection): handled below
  }
  if (!response.ok || envelope?.status !== "success") {
    const message = envelope?.message || `The server answered with HTTP ${response.status}.`;
    throw new ApiError(message, response.status);
  }
  return envelope;
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
export async function request(method, path, body) {
  const token = getSession()?.access_token;
  try {
    return await send(method, path, body, token);
  } catch (error) {
    if (error.status !== 401 || !token) throw error;
    const fresh = await refreshAccessToken();
    return send(method, path, body, fresh);
  }
}

export const api = {
  get: async (path) => (await request("GET", path)).data,
  post: async (path, body) => (await request("POST", path, body ?? {})).data,
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
