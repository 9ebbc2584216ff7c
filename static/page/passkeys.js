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

  // The signed-in view's section: "Add a passkey" and the list with its remove buttons. `auth()` says how a
  // request proves the user (the access token, or the cookie), null when signed out; answers `list()`.
  function manage({ api, auth, describe, announce }) {
    const failed = (text) => ($("passkey-error").textContent = text);
    const shown = (answer) => draw($("passkey-list"), answer.data.passkeys, remove);
    const clear = () => ($("passkey-error").textContent = $("passkey-done").textContent = "");

    async function list() {
      if (!auth()) return;
      const answer = await api("GET", "auth/passkeys", auth());
      return answer.ok ? shown(answer) : failed(describe(answer));
    }

    async function remove(id, button) {
      clear();
      button.disabled = true;
      const answer = await api("DELETE", `auth/passkeys/${encodeURIComponent(id)}`, auth());
      if (!answer.ok) {
        button.disabled = false;
        return failed(describe(answer));
      }
      announce("passkey", "Passkey removed.");
      await list();
    }

    $("passkey-add").addEventListener("click", async () => {
      clear();
      const started = await api("POST", "auth/passkeys/register/start", auth());
      if (!started.ok) return failed(describe(started));
      const made = await create(started.data.credential_creation_options);
      if (!made.ok) return failed(made.message);
      const body = { credential: made.credential };
      const finished = await api("POST", "auth/passkeys/register/finish", { body, ...auth() });
      if (!finished.ok) return failed(describe(finished));
      shown(finished);
      announce("passkey", "Passkey added: sign out, then sign in with it.");
    });
    return list;
  }

  return { create, get, manage };
})();
