// The sign-in page's helpers that make no request: a token's claims, a time, a TOTP secret as a QR code,
// a form's values, its errors shown and cleared. Loaded before app.js, which takes them from `window.PageShow`.
"use strict";

window.PageShow = (() => {
  const SVG = "http://www.w3.org/2000/svg";
  const $ = (id) => document.getElementById(id);
  // The field an error code is about, per form; `invalid_request` names its fields itself.
  const FIELD_OF = {
    register: { username_exists: "username", invalid_password: "password" },
    confirm: { code_mismatch: "code", expired_code: "code" },
    challenge: { code_mismatch: "code", invalid_password: "new_password" },
    "totp-verify": { code_mismatch: "code" },
    "change-password": { not_authorized: "old_password", invalid_password: "new_password" },
    reset: { code_mismatch: "code", expired_code: "code", invalid_password: "new_password" },
  };

  function claimsOf(token) {
    try {
      const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      const binary = atob(part + "=".repeat((4 - (part.length % 4)) % 4));
      return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    } catch {
      return {}; // not a JWT (an endpoint's opaque token): nothing to show
    }
  }

  function setTime(element, seconds) {
    const at = new Date(seconds * 1000);
    element.dateTime = Number.isFinite(seconds) ? at.toISOString() : "";
    element.textContent = Number.isFinite(seconds) ? at.toLocaleString() : "unknown";
  }

  // The otpauth:// URI as a QR code, drawn here: the secret goes to no other server and into no URL.
  function drawSecret(container, { secret, otpauth_uri: uri }) {
    const qr = qrcode(0, "M");
    qr.addData(uri, "Byte");
    qr.make();
    const count = qr.getModuleCount();
    const size = count + 8; // a quiet zone of 4 modules all round
    let path = "";
    for (let row = 0; row < count; row += 1) {
      for (let col = 0; col < count; col += 1) if (qr.isDark(row, col)) path += `M${col + 4},${row + 4}h1v1h-1z`;
    }
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "QR code of the otpauth:// URI below, for an authenticator app to scan");
    svg.setAttribute("shape-rendering", "crispEdges");
    const background = document.createElementNS(SVG, "rect");
    background.setAttribute("width", size);
    background.setAttribute("height", size);
    background.setAttribute("fill", "#fff");
    const modules = document.createElementNS(SVG, "path");
    modules.setAttribute("d", path);
    modules.setAttribute("fill", "#000");
    svg.append(background, modules);
    const line = (text, className, value) => {
      const paragraph = document.createElement("p");
      paragraph.append(text, Object.assign(document.createElement("code"), { className, textContent: value }));
      return paragraph;
    };
    const key = line("Or enter this key in the app: ", "secret", secret);
    container.replaceChildren(svg, key, line("The URI: ", "uri", uri));
  }

  function values(form) {
    const body = {}; // an empty field is left out, so the API says it is required
    for (const input of form.querySelectorAll("input[name]")) {
      if (input.value !== "" && !input.closest("[hidden]")) body[input.name] = input.value;
    }
    return body;
  }

  function clearErrors(form) {
    for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    for (const note of form.querySelectorAll(".error, .done")) note.textContent = "";
  }

  function fieldError(form, name, text) {
    const input = name && form.querySelector(`input[name="${name}"]`);
    if (!input || input.closest("[hidden]")) return false;
    input.setAttribute("aria-invalid", "true");
    const note = $(input.getAttribute("aria-describedby"));
    note.textContent = note.textContent ? `${note.textContent}; ${text}` : text;
    return true;
  }

  // Each error of an API answer next to the field it is about, in the API's words; the rest under the button.
  function showError(form, answer) {
    const { error = "error", message = "" } = answer.data || {};
    const rest = [];
    if (error === "invalid_request") {
      // "Invalid request: 'email' must be an email address; 'password' is required."
      for (const phrase of message.replace(/^Invalid request: /, "").replace(/\.$/, "").split("; ")) {
        const named = /^'([^']+)'/.exec(phrase);
        if (!(named && fieldError(form, named[1], phrase))) rest.push(phrase);
      }
    } else if (!fieldError(form, (FIELD_OF[form.id] || {})[error], message)) {
      rest.push(message);
    }
    if (rest.length) $(`${form.id}-error`).textContent = `${rest.join("; ")} (${answer.status} ${error})`;
    const invalid = form.querySelector("[aria-invalid]");
    if (invalid) invalid.focus();
  }

  // An API answer in words: its message, status and code; what was done, next to it; an answer in full.
  const describe = (answer) => {
    const { error = "error", message = "" } = answer.data || {};
    return `${message} (${answer.status} ${error})`;
  };
  const announce = (id, text) => ($(`${id}-done`).textContent = text);
  const show = (element, label, answer) => {
    element.textContent = `${label}: ${answer.status}\n${answer.data ? JSON.stringify(answer.data, null, 2) : ""}`;
    element.classList.toggle("refused", !answer.ok);
  };

  // Under `make run`, the code the local emulator just sent, next to the field that wants it (GET local/sent-code,
  // which exists only with the emulator: anywhere else it answers 404 and nothing is shown).
  // `medium` (EMAIL or SMS) is where the code went; none: no code was sent, and no hint is shown.
  const hintCode = async (fieldId, username, medium) => {
    const field = $(fieldId);
    let note = $(`${fieldId}-sent`);
    if (!note) {
      note = Object.assign(document.createElement("p"), { id: `${fieldId}-sent`, className: "hint sent-code" });
      note.setAttribute("role", "status"); // announced; the field's aria-describedby stays its error's alone
      field.parentElement.append(note);
    }
    note.textContent = "";
    if (!username || !medium) return;
    const query = new URLSearchParams({ username, medium });
    try {
      const answer = await fetch(`local/sent-code?${query}`, { headers: { "X-Code-Hint": "1" }, cache: "no-store" });
      if (answer.ok) note.textContent = `The local emulator sent the code ${(await answer.json()).code}.`;
    } catch {
      // no hint: the field works as on Cognito
    }
  };

  return { claimsOf, setTime, drawSecret, values, clearErrors, showError, describe, announce, show, hintCode };
})();
