// Passkeys on the sign-in page: navigator.credentials.create/get with the options the API answers, and the
// browser's credential sent back as JSON. The API (Cognito) speaks base64url for every binary field; the
// browser's WebAuthn calls take and give ArrayBuffers: the conversion below is Amplify JS's
// (packages/auth/src/client/utils/passkey/serde.ts), written out because the page has no build step.
// Loaded before app.js, which takes these from `window.PagePasskeys`.
"use strict";

window.PagePasskeys = (() => {
  const toBuffer = (text) => {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0)).buffer;
  };
  const toText = (buffer) => {
    if (!buffer) return undefined;
    let binary = "";
    for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };
  const withIds = (list) => (list || []).map((credential) => ({ ...credential, id: toBuffer(credential.id) }));

  // PublicKeyCredentialCreationOptions from the API's JSON (StartWebAuthnRegistration's document).
  const creationOptions = (json) => ({
    ...json,
    challenge: toBuffer(json.challenge),
    user: { ...json.user, id: toBuffer(json.user.id) },
    excludeCredentials: withIds(json.excludeCredentials),
  });
  // PublicKeyCredentialRequestOptions from the API's JSON (the WEB_AUTHN challenge's request options).
  const requestOptions = (json) => ({
    ...json,
    challenge: toBuffer(json.challenge),
    allowCredentials: withIds(json.allowCredentials),
  });

  const common = (credential) => ({
    id: credential.id,
    rawId: toText(credential.rawId),
    type: credential.type,
    clientExtensionResults: credential.getClientExtensionResults(),
    ...(credential.authenticatorAttachment ? { authenticatorAttachment: credential.authenticatorAttachment } : {}),
  });
  // RegistrationResponseJSON: what CompleteWebAuthnRegistration takes.
  const registrationJSON = (credential) => {
    const response = credential.response;
    const json = { clientDataJSON: toText(response.clientDataJSON), attestationObject: toText(response.attestationObject) };
    if (response.getTransports) json.transports = response.getTransports();
    if (response.getPublicKeyAlgorithm) json.publicKeyAlgorithm = response.getPublicKeyAlgorithm();
    if (response.getPublicKey && response.getPublicKey()) json.publicKey = toText(response.getPublicKey());
    if (response.getAuthenticatorData) json.authenticatorData = toText(response.getAuthenticatorData());
    return { ...common(credential), response: json };
  };
  // AuthenticationResponseJSON: the WEB_AUTHN challenge's answer.
  const assertionJSON = (credential) => {
    const response = credential.response;
    const json = {
      clientDataJSON: toText(response.clientDataJSON),
      authenticatorData: toText(response.authenticatorData),
      signature: toText(response.signature),
    };
    if (response.userHandle && response.userHandle.byteLength) json.userHandle = toText(response.userHandle);
    return { ...common(credential), response: json };
  };

  // {ok: true, credential} or {ok: false, message}: the browser refuses (no such passkey here, cancelled, an
  // origin WebAuthn does not allow: http://127.0.0.1 is not http://localhost) in words shown on the page.
  async function ceremony(call, toJSON) {
    if (!window.PublicKeyCredential) return { ok: false, message: "This browser has no passkey support here." };
    try {
      return { ok: true, credential: toJSON(await call()) };
    } catch (err) {
      return { ok: false, message: `The browser did not use a passkey: ${err.name}: ${err.message}` };
    }
  }
  const create = (json) =>
    ceremony(() => navigator.credentials.create({ publicKey: creationOptions(json) }), registrationJSON);
  const get = (json) => ceremony(() => navigator.credentials.get({ publicKey: requestOptions(json) }), assertionJSON);

  const $ = (id) => document.getElementById(id);

  // The signed-in user's passkeys, each with a remove button, drawn into `list`.
  function draw(list, passkeys, remove) {
    list.replaceChildren();
    for (const passkey of passkeys) {
      const item = document.createElement("li");
      const created = passkey.created_at ? new Date(passkey.created_at * 1000).toLocaleString() : "";
      item.textContent = `${passkey.name || "Passkey"} (${created}) `;
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = "Remove";
      button.setAttribute("aria-label", `Remove the passkey ${passkey.name || passkey.credential_id}`);
      button.addEventListener("click", () => remove(passkey.credential_id, button));
      item.append(button);
      list.append(item);
    }
    if (!passkeys.length) list.textContent = "No passkey yet.";
  }

  const CHALLENGES = {
    EMAIL_OTP: ["Enter the code emailed to you.", "code"],
    SMS_OTP: ["Enter the code sent to you by text message.", "code"],
    WEB_AUTHN: ["Use your passkey (the browser asks for it).", null],
    SELECT_CHALLENGE: ["Choose how to sign in.", null],
  };

  // The page's passwordless parts: "Email me a code" and "Sign in with a passkey" (the username alone, the
  // first factor preferred), the challenges' words, a passwordless sign-up signed in by its confirmation,
  // and the signed-in view's passkeys. `page` is what app.js lends: its requests, how a request proves the
  // user (`auth()`, null when signed out), its challenge answer, `signedIn`, and `byCookie(on)`.
  function wire(page) {
    const { describe, announce, clearErrors, showError } = window.PageShow;
    const failed = (text) => ($("passkey-error").textContent = text);
    const shown = (answer) => draw($("passkey-list"), answer.data.passkeys, remove);
    const clear = () => ($("passkey-error").textContent = $("passkey-done").textContent = "");
    let signUp = null; // a passwordless sign-up's {username, session}: its confirmation signs in

    async function list() {
      if (!page.auth()) return;
      const answer = await page.api("GET", "auth/passkeys", page.auth());
      return answer.ok ? shown(answer) : failed(describe(answer));
    }

    async function remove(id, button) {
      clear();
      button.disabled = true;
      const answer = await page.api("DELETE", `auth/passkeys/${encodeURIComponent(id)}`, page.auth());
      if (!answer.ok) {
        button.disabled = false;
        return failed(describe(answer));
      }
      announce("passkey", "Passkey removed.");
      await list();
    }

    async function add() {
      clear();
      const started = await page.api("POST", "auth/passkeys/register/start", page.auth());
      if (!started.ok) return failed(describe(started));
      const made = await create(started.data.credential_creation_options);
      if (!made.ok) return failed(made.message);
      const body = { credential: made.credential };
      const finished = await page.api("POST", "auth/passkeys/register/finish", { body, ...page.auth() });
      if (!finished.ok) return failed(describe(finished));
      shown(finished);
      announce("passkey", "Passkey added: sign out, then sign in with it.");
    }

    async function signInBy(preferred) {
      const form = $("login");
      clearErrors(form);
      const body = { username: $("login-username").value, preferred };
      const cookie = $("login-cookie").checked;
      page.byCookie(cookie);
      const answer = await (cookie ? page.sessions.signIn(body) : page.api("POST", "auth/login", { body }));
      if (!answer.ok) return showError(form, answer);
      await page.signedIn(answer.data, body.username);
    }

    // The WEB_AUTHN challenge: the browser asks the authenticator, the page sends what it answered.
    async function usePasskey(data, pending) {
      const got = await get(data.credential_request_options || {});
      if (!got.ok) return ($("challenge-help").textContent = got.message);
      const answer = await page.answerChallenge({ ...pending, credential: got.credential });
      if (!answer.ok) return ($("challenge-help").textContent = `The passkey was refused: ${describe(answer)}`);
      await page.signedIn(answer.data, pending.username);
    }

    // A challenge just shown: the words only choice-based sign-in has; true when this module answers it.
    function explain(data, pending) {
      const otp = data.challenge.endsWith("_OTP");
      $("challenge").querySelector("label[for=challenge-code]").textContent = otp ? "Code" : "Code from the authenticator app";
      const sent = data.code_delivery;
      if (sent) $("challenge-help").textContent = `Enter the code sent to ${sent.destination} (${sent.medium}).`;
      if (data.challenge === "SELECT_CHALLENGE") {
        const offered = (data.available_challenges || []).join(", ");
        $("challenge-help").textContent = `That way is not open to this account now. It may sign in with: ${offered}.`;
      }
      if (data.challenge !== "WEB_AUTHN") return false;
      usePasskey(data, pending);
      return true;
    }

    for (const [id, handler] of [["login-email-code", () => signInBy("EMAIL_OTP")],
      ["login-passkey", () => signInBy("WEB_AUTHN")], ["passkey-add", add]]) { // prettier-ignore
      const button = $(id);
      button.addEventListener("click", async () => {
        if (button.getAttribute("aria-busy") === "true") return; // one request at a time, as app.js's buttons
        button.setAttribute("aria-busy", "true");
        try {
          await handler();
        } finally {
          button.removeAttribute("aria-busy");
        }
      });
    }

    return {
      list,
      explain,
      // Register's answer: a passwordless sign-up's session is kept, for its confirmation to sign in with.
      signedUp: (data, body) => {
        signUp = data.session && !body.password ? { username: data.username, session: data.session } : null;
        return data;
      },
      confirming: (body) => (signUp && signUp.username === body.username ? { ...body, session: signUp.session } : body),
      // The confirmation signed in (tokens, or a challenge): this page then holds the tokens, not a cookie.
      confirmedIn: (data) => {
        signUp = null;
        const signedIn = Boolean(data.access_token || data.challenge);
        if (signedIn) page.byCookie(false);
        return signedIn;
      },
    };
  }

  return { CHALLENGES, wire, get };
})();
