// The sign-in page's helpers that make no request: a token's claims, a time, a TOTP secret as a QR code,
// a form's values and the clearing of its errors. Loaded before app.js, which takes them from `window.PageShow`.
"use strict";

window.PageShow = (() => {
  const SVG = "http://www.w3.org/2000/svg";

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

  return { claimsOf, setTime, drawSecret, values, clearErrors };
})();
