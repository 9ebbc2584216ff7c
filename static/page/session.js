// The sign-in page's requests: `api`, and the "keep me signed in with a cookie" path. On that path the tokens
// stay on the server, the browser holding an HttpOnly cookie no script can read; this page keeps only the
// session's CSRF token (sent as X-CSRF-Token on every change), in `csrf` below. Loaded before app.js, which
// takes these from `window.PageSession`.
"use strict";

window.PageSession = (() => {
  let csrf = null; // the cookie session's CSRF token; null when not signed in by cookie

  // One request to this server. `cookie`: sent with the session cookie (and the CSRF token on a change);
  // otherwise no cookie goes with it, only the bearer `token` if one is given.
  async function api(method, path, { body, token, cookie } = {}) {
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `Bearer ${token}`;
    if (cookie && csrf && method !== "GET") headers["X-CSRF-Token"] = csrf;
    const init = { method, headers, cache: "no-store", credentials: cookie ? "same-origin" : "omit" };
    if (body !== undefined) init.body = JSON.stringify(body);
    let response;
    try {
      response = await fetch(path, init); // relative: the API is wherever this page is served
    } catch {
      return { status: 0, ok: false, data: { error: "network_error", message: "The server could not be reached." } };
    }
    const text = await response.text();
    let data = null;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = { message: text.slice(0, 500) };
    }
    return { status: response.status, ok: response.ok, data };
  }

  // The answer with its CSRF token kept here and taken out: it is never shown on the page.
  function keep(answer) {
    if (!answer.ok || !answer.data || !answer.data.csrf_token) return answer;
    const { csrf_token: token, ...rest } = answer.data;
    csrf = token;
    return { ...answer, data: rest };
  }

  // Sign in, or answer a challenge, into a cookie: the answer is {username, expires_at} or a challenge.
  const signIn = async (body) => keep(await api("POST", "auth/session", { body, cookie: true }));
  const answer = async (body) => keep(await api("POST", "auth/session/challenge", { body, cookie: true }));

  // Who the cookie signs in (GET /auth/session): 401 when nobody, and then the CSRF token is forgotten.
  async function current() {
    const answered = keep(await api("GET", "auth/session", { cookie: true }));
    if (!answered.ok) csrf = null;
    return answered;
  }

  // Sign out (DELETE /auth/session, with X-CSRF-Token): the server forgets the session and clears the cookie.
  async function end() {
    const answered = await api("DELETE", "auth/session", { cookie: true });
    if (answered.ok) csrf = null;
    return answered;
  }

  // Change the password: with a cookie, the session goes on under a new id and CSRF token, which is kept.
  const changePassword = async (body, auth) => keep(await api("POST", "auth/change-password", { body, ...auth }));

  return { api, signIn, answer, current, end, changePassword };
})();
