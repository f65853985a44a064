// The signed-in user and their tokens, kept in localStorage so a reload stays signed in.

const KEY = "sqlarena.session";
const listeners = new Set();

export function getSession() {
  try {
    return JSON.parse(localStorage.getItem(KEY)) || null;
  } catch {
    return null;
  }
}

export function currentUser() {
  return getSession()?.user || null;
}

export function saveSession({ user, access_token, refresh_token }) {
  localStorage.setItem(KEY, JSON.stringify({ user, access_token, refresh_token }));
  listeners.forEach((listener) => listener(getSession()));
}

export function replaceAccessToken(access_token) {
  const session = getSession();
  if (session) saveSession({ ...session, access_token });
}

export function clearSession() {
  localStorage.removeItem(KEY);
  listeners.forEach((listener) => listener(null));
}

/** Calls `listener(session|null)` whenever the session changes; returns the unsubscribe function. */
export function onSessionChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
