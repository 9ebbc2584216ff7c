// Remembered devices on the sign-in page: the signed-in user's devices (GET /auth/devices), each with a
// "Forget" button (DELETE /auth/devices/<key>). Signed in with a cookie, this browser's own device lives in its
// HttpOnly device cookie (the server sets it; no script reads it): the list marks it, and forgetting it clears it.
// Loaded before app.js, which calls `window.PageDevices.list(page)` once signed in.
"use strict";

window.PageDevices = (() => {
  const $ = (id) => document.getElementById(id);

  // The list drawn; `page`: app.js's requests (`api`) and how a request proves the signed-in user (`auth()`).
  function list(page) {
    const { describe, announce } = window.PageShow;
    const failed = (text) => ($("device-error").textContent = text);
    const clear = () => ($("device-error").textContent = $("device-done").textContent = "");

    function draw(devices) {
      const shown = $("device-list");
      shown.replaceChildren();
      for (const device of devices) {
        const item = document.createElement("li");
        const name = device.name || "Unnamed device";
        const seen = device.last_seen_at ? new Date(device.last_seen_at * 1000).toLocaleString() : "never";
        const notes = [device.remembered ? "remembered" : "not remembered", ...(device.current ? ["this browser"] : [])];
        item.textContent = `${name} (${notes.join(", ")}; last sign-in ${seen}) `;
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = "Forget";
        button.setAttribute("aria-label", `Forget the device ${name}${device.current ? " (this browser)" : ""}`);
        button.addEventListener("click", () => forget(device.key, button));
        item.append(button);
        shown.append(item);
      }
      if (!devices.length) shown.textContent = "No device remembered.";
    }

    async function refresh() {
      const answer = await page.api("GET", "auth/devices", page.auth());
      return answer.ok ? draw(answer.data.devices) : failed(describe(answer));
    }

    async function forget(key, button) {
      clear();
      button.disabled = true;
      const answer = await page.api("DELETE", `auth/devices/${encodeURIComponent(key)}`, page.auth());
      if (!answer.ok) {
        button.disabled = false;
        return failed(describe(answer));
      }
      announce("device", "Device forgotten: its next sign-in asks for the MFA code again.");
      await refresh();
    }

    clear();
    return refresh();
  }

  return { list };
})();
