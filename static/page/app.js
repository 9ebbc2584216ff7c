// The sign-in page. Every action is one request to this server's API; its answer, or its error in the API's
// own words next to the field it names, is shown on the page. Tokens live in `session` below and nowhere
// else (neither web storage nor a cookie): reloading the page forgets them. Signed in "with a cookie"
// (session.js), the page holds no token at all, and a reload finds the session again (GET /auth/session).
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const { claimsOf, setTime, drawSecret, values, clearErrors, showError, describe, announce, show } = window.PageShow;
  const { hintCode } = window.PageShow; // the code the local emulator sent, under `make run`
  const sessions = window.PageSession; // session.js: the requests, and the cookie path's
  const { api } = sessions;
  const CHALLENGES = {
    ...window.PagePasskeys.CHALLENGES, // EMAIL_OTP, SMS_OTP, WEB_AUTHN, SELECT_CHALLENGE
    NEW_PASSWORD_REQUIRED: ["This account was created for you: choose your own password.", "new_password"],
    SOFTWARE_TOKEN_MFA: ["Enter the 6-digit code your authenticator app shows for this account.", "code"],
    SMS_MFA: ["Enter the code sent to you by text message.", "code"],
    MFA_SETUP: [
      "This pool requires an authenticator app: scan the QR code, or enter the key, then the code the app shows.",
      "code",
    ],
  };
  let session = null; // {username, access_token, id_token, refresh_token}, or by cookie {username, expires_at, cookie}
  let pending = null; // the challenge being answered: {username, challenge, session}
  let viaCookie = false; // the sign-in under way (or done) is the cookie path's
  let oldAccess = null; // the access token of the session just signed out
  // How a request proves who is signed in: the access token, or the session cookie (and its CSRF token).
  const auth = () => (session.cookie ? { cookie: true } : { token: session.access_token });
  const answerChallenge = (body) => (viaCookie ? sessions.answer(body) : api("POST", "auth/challenge", { body }));

  // Passwordless sign-in and passkeys (passkeys.js), given what it needs of this page; admin.js asks `auth` too.
  const flows = window.PagePasskeys.wire({ api, sessions, auth: (window.PageAuth = () => session && auth()), answerChallenge,
    signedIn: (data, username) => signedIn(data, username), byCookie: (on) => (viaCookie = on) }); // prettier-ignore
  const profile = window.PageProfile.wire({ api, auth, username: () => session && session.username }); // profile.js
  // One request at a time per form or button: pressing it again while its request is under way does nothing.
  function on(id, type, handler) {
    const element = $(id);
    element.addEventListener(type, async (event) => {
      event.preventDefault(); // a form is sent by the script, never by the browser
      if (element.getAttribute("aria-busy") === "true") return;
      element.setAttribute("aria-busy", "true");
      try {
        await handler(element);
      } finally {
        element.removeAttribute("aria-busy");
      }
    });
  }
  const onSubmit = (id, handler) =>
    on(id, "submit", (form) => {
      clearErrors(form);
      return handler(form, values(form));
    });
  const onClick = (id, handler) => on(id, "click", handler);

  function tick() {
    if (!session || session.cookie) return;
    const left = claimsOf(session.access_token).exp - Date.now() / 1000;
    const remaining = left > 0 ? `in ${Math.ceil(left / 60)} min` : "expired";
    $("access-remaining").textContent = Number.isFinite(left) ? remaining : "unknown";
  }

  function render() {
    $("signed-out-view").hidden = Boolean(session);
    $("session-view").hidden = !session;
    for (const id of ["access-claims", "id-claims", "call-answer"]) $(id).textContent = "";
    if (!session) return;
    $("session-user").textContent = session.username;
    $("tokens-section").hidden = Boolean(session.cookie);
    $("cookie-section").hidden = !session.cookie;
    $("call-title").textContent = `Call the API with the ${session.cookie ? "session cookie" : "access token"}`;
    $("call-me").textContent = session.cookie ? "GET /auth/session" : "GET /auth/me";
    if (session.cookie) return setTime($("cookie-expiry"), session.expires_at);
    const access = claimsOf(session.access_token);
    const id = claimsOf(session.id_token);
    $("access-claims").textContent = JSON.stringify(access, null, 2);
    $("id-claims").textContent = JSON.stringify(id, null, 2);
    setTime($("access-expiry"), access.exp);
    setTime($("id-expiry"), id.exp);
    tick();
  }

  async function signedIn(data, username) {
    if (data.challenge) return startChallenge(data, username);
    pending = oldAccess = null;
    clearErrors(document.body); // what the previous session said is no longer news
    $("challenge-view").hidden = true; $("challenge-qr").replaceChildren(); // prettier-ignore
    $("signout-report").hidden = $("cookie-signout-report").hidden = true;
    const name = data.username || username;
    session = viaCookie ? { username: name, expires_at: data.expires_at, cookie: true } : { ...data, username: name };
    $("change-password-username").defaultValue = session.username; // kept by the form's reset
    render();
    $("session-title").focus();
    await Promise.all([flows.list(), profile.load(), window.PageDevices.list({ api, auth })]); // devices.js
  }

  async function startChallenge(data, username) {
    const form = $("challenge");
    const unknown = [`This page cannot answer the ${data.challenge} challenge.`, null];
    const [help, field] = CHALLENGES[data.challenge] || unknown;
    pending = { username, challenge: data.challenge, session: data.session };
    form.reset();
    clearErrors(form);
    $("challenge-username").defaultValue = username;
    $("challenge-title").textContent = `One more step: ${data.challenge}`;
    $("challenge-help").textContent = help;
    $("challenge-new-password-field").hidden = field !== "new_password";
    $("challenge-code-field").hidden = field !== "code";
    form.hidden = !field;
    $("challenge-qr").hidden = data.challenge !== "MFA_SETUP";
    $("challenge-view").hidden = false;
    hintCode("challenge-code", username, { EMAIL_OTP: "EMAIL", SMS_OTP: "SMS", SMS_MFA: "SMS" }[data.challenge]);
    if (flows.explain(data, pending)) return; // choice-based sign-in's: said, or answered by a passkey
    if (data.challenge === "MFA_SETUP") {
      // Asked first without a code: the API answers the secret for the app, and a new session.
      const answer = await answerChallenge(pending);
      if (!answer.ok) return showError(form, answer);
      pending.session = answer.data.session;
      drawSecret($("challenge-qr"), answer.data.parameters);
    }
    (field ? $(field === "code" ? "challenge-code" : "challenge-new-password") : $("challenge-title")).focus();
  }

  onSubmit("register", async (form, body) => {
    const answer = await api("POST", "auth/register", { body });
    if (!answer.ok) return showError(form, answer);
    const { username, confirmed } = flows.signedUp(answer.data, body);
    form.querySelector("input[name=password]").value = "";
    $("confirm-username").value = username;
    $("login-username").value = username;
    const next = confirmed ? " and confirmed: sign in" : ": confirm it with the code";
    announce("register", `Account ${username} created${next}.`);
    hintCode("confirm-code", !confirmed && username, (answer.data.code_delivery || {}).medium); // where it went
    $(confirmed ? "login-password" : "confirm-code").focus();
  });

  onSubmit("confirm", async (form, body) => {
    const answer = await api("POST", "auth/confirm", { body: flows.confirming(body) });
    if (!answer.ok) return showError(form, answer);
    if (flows.confirmedIn(answer.data)) return signedIn(answer.data, body.username); // a passwordless sign-up
    $("login-username").value = answer.data.username;
    announce("confirm", `${answer.data.username} is confirmed: sign in.`);
    $("login-password").focus();
  });

  onSubmit("login", async (form, body) => {
    viaCookie = $("login-cookie").checked; // then the answer is a cookie, not tokens
    const answer = await (viaCookie ? sessions.signIn(body) : api("POST", "auth/login", { body }));
    if (!answer.ok) return showError(form, answer);
    $("login-password").value = "";
    await signedIn(answer.data, body.username);
  });

  onSubmit("challenge", async (form, body) => {
    const answer = await answerChallenge({ ...pending, ...body });
    if (!answer.ok) return showError(form, answer);
    await signedIn(answer.data, pending.username);
  });

  onClick("refresh", async () => {
    $("refresh-error").textContent = $("refresh-done").textContent = "";
    const body = { refresh_token: session.refresh_token, device_key: session.device_key }; // bound device, if any
    if (session.username) body.username = session.username; // needed with a client secret on some endpoints
    const answer = await api("POST", "auth/refresh", { body });
    if (!answer.ok) return ($("refresh-error").textContent = describe(answer));
    const { access_token, id_token, refresh_token } = answer.data;
    // Without refresh-token rotation the answer's refresh_token is null: the old one stays valid.
    session = { ...session, access_token, id_token, refresh_token: refresh_token || session.refresh_token };
    render();
    announce("refresh", `Tokens refreshed: the new access token expires at ${$("access-expiry").textContent}.`);
  });

  // A GET, its answer shown in `output`: `how` says what proves who is asking.
  const get = (output, path, how) => async () => show($(output), `GET /${path}`, await api("GET", path, how()));
  onClick("call-hello", get("call-answer", "hello", auth));
  onClick("old-token-hello", get("old-token-hello-answer", "hello", () => ({ token: oldAccess })));
  onClick("call-me", async () => {
    if (session.cookie) return show($("call-answer"), "GET /auth/session", await sessions.current());
    show($("call-answer"), "GET /auth/me", await api("GET", "auth/me", auth()));
  });

  onClick("totp-start", async () => {
    $("totp-start-error").textContent = $("totp-done").textContent = "";
    const answer = await api("POST", "auth/mfa/totp/setup", auth());
    if (!answer.ok) return ($("totp-start-error").textContent = describe(answer));
    drawSecret($("totp-qr"), answer.data);
    $("totp-setup").hidden = false;
    $("totp-code").focus();
  });

  onSubmit("totp-verify", async (form, body) => {
    const answer = await api("POST", "auth/mfa/totp/verify", { body, ...auth() });
    if (!answer.ok) return showError(form, answer);
    form.reset();
    $("totp-setup").hidden = true;
    $("totp-qr").replaceChildren(); // the secret leaves the page
    await profile.load(); // the MFA section shows it on, before the news is announced
    announce("totp", "TOTP is on: the next sign-in asks for a code from the app.");
    $("totp-start").focus();
  });

  onSubmit("change-password", async (form, body) => {
    const answer = await sessions.changePassword(body, auth());
    if (!answer.ok) return showError(form, answer);
    form.reset();
    announce("change-password", "Password changed.");
  });

  onClick("logout", async () => {
    $("logout-error").textContent = "";
    if (session.cookie) return signOutOfCookie();
    const body = session.refresh_token ? { refresh_token: session.refresh_token } : {};
    const answer = await api("POST", "auth/logout", { body, token: session.access_token });
    if (!answer.ok) return ($("logout-error").textContent = describe(answer));
    oldAccess = session.access_token;
    session = null;
    clearErrors(document.body);
    render();
    // Cognito refuses the old token at once; /hello, which verifies it locally, by the revocation list.
    show($("old-token-me"), "GET /auth/me", await api("GET", "auth/me", { token: oldAccess }));
    setTime($("old-token-expiry"), claimsOf(oldAccess).exp);
    $("old-token-hello-answer").textContent = "";
    $("signout-report").hidden = false;
    $("signout-title").focus();
  });

  // Signed out by cookie: the server forgot the session and cleared the cookie, so GET /auth/session is 401.
  async function signOutOfCookie() {
    const answer = await sessions.end();
    if (!answer.ok) return ($("logout-error").textContent = describe(answer));
    session = null;
    clearErrors(document.body);
    render();
    show($("cookie-signout-me"), "GET /auth/session", await sessions.current());
    $("cookie-signout-report").hidden = false;
    $("cookie-signout-title").focus();
  }

  // Signed in by cookie before this page loaded (a reload, another tab): the signed-in view at once.
  sessions.current().then((answer) => {
    if (!answer.ok || session) return;
    viaCookie = true;
    signedIn(answer.data, answer.data.username);
  });

  qrcode.stringToBytes = qrcode.stringToBytesFuncs["UTF-8"];
  $("script-needed").hidden = true;
  setInterval(tick, 15000);
})();
