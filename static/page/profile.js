// The signed-in user's profile and MFA choices: PATCH /auth/me (a new email or phone number is sent a code),
// POST /auth/me/verify and /auth/me/verify/resend, GET and PUT /auth/mfa. Loaded before app.js, which wires it
// with how a request proves who is signed in (`auth`: the access token, or the cookie) and calls `load` on sign-in.
"use strict";

window.PageProfile = (() => {
  const $ = (id) => document.getElementById(id);
  const FIELDS = ["given_name", "family_name", "email", "phone_number"];
  const FACTORS = { TOTP: "mfa-totp", SMS: "mfa-sms", EMAIL: "mfa-email" };

  function wire(page) {
    const { api } = page;
    const { clearErrors, showError, announce, hintCode } = window.PageShow;
    let current = {}; // the attributes as Cognito last answered them

    // One request at a time per form or button: pressing it again while its request is under way does nothing.
    function on(element, type, handler) {
      element.addEventListener(type, async (event) => {
        event.preventDefault(); // a form is sent by the script, never by the browser
        if (element.getAttribute("aria-busy") === "true") return;
        element.setAttribute("aria-busy", "true");
        try {
          await handler();
        } finally {
          element.removeAttribute("aria-busy");
        }
      });
    }

    function fill(attributes) {
      current = attributes;
      for (const name of FIELDS) $(`profile-${name.replace("_", "-")}`).value = attributes[name] || "";
      const unverified = ["email", "phone_number"].filter((name) => attributes[name] && attributes[`${name}_verified`] !== "true");
      $("profile-verified").textContent = unverified.length ? `Not verified yet: ${unverified.join(", ")}.` : "";
    }

    function showMfa(settings) {
      for (const [factor, id] of Object.entries(FACTORS)) {
        $(id).checked = settings.enabled.includes(factor);
        $(id).disabled = !settings.available.includes(factor);
      }
      $("mfa-preferred").value = settings.preferred || "";
      const required = settings.required ? " The pool requires MFA: one factor stays on." : "";
      $("mfa-offered").textContent = `The pool offers: ${settings.available.join(", ") || "none"}.${required}`;
    }

    async function load() {
      const me = await api("GET", "auth/me", page.auth());
      if (me.ok) fill(me.data.attributes);
      const mfa = await api("GET", "auth/mfa", page.auth());
      if (mfa.ok) showMfa(mfa.data);
    }

    const form = $("profile");
    on(form, "submit", async () => {
      clearErrors(form);
      const attributes = {};
      for (const name of FIELDS) {
        const value = $(`profile-${name.replace("_", "-")}`).value.trim();
        if (value && value !== (current[name] || "")) attributes[name] = value;
      }
      if (!Object.keys(attributes).length) return announce("profile", "Nothing changed.");
      const answer = await api("PATCH", "auth/me", { body: { attributes }, ...page.auth() });
      if (!answer.ok) return showError(form, answer);
      fill(answer.data.attributes);
      const sent = answer.data.code_deliveries;
      const where = sent.map((d) => `${d.attribute} (${d.medium} to ${d.destination})`).join(", ");
      announce("profile", sent.length ? `Saved. A code was sent to verify ${where}.` : "Saved.");
      if (sent.length) {
        $("verify-attribute").value = sent[0].attribute;
        hintCode("verify-code", page.username(), sent[0].medium);
        $("verify-code").focus();
      }
    });

    const verify = $("profile-verify");
    on(verify, "submit", async () => {
      clearErrors(verify);
      const body = { attribute: $("verify-attribute").value, code: $("verify-code").value.trim() };
      const answer = await api("POST", "auth/me/verify", { body, ...page.auth() });
      if (!answer.ok) return showError(verify, answer);
      $("verify-code").value = "";
      hintCode("verify-code", null, null);
      announce("profile-verify", `${answer.data.attribute} is verified.`);
      await load();
    });

    on($("verify-resend"), "click", async () => {
      clearErrors(verify);
      const body = { attribute: $("verify-attribute").value };
      const answer = await api("POST", "auth/me/verify/resend", { body, ...page.auth() });
      if (!answer.ok) return showError(verify, answer);
      const { medium, destination } = answer.data.code_delivery;
      announce("profile-verify", `A new code was sent (${medium} to ${destination}).`);
      hintCode("verify-code", page.username(), medium);
    });

    const mfa = $("mfa");
    on(mfa, "submit", async () => {
      clearErrors(mfa);
      const enabled = Object.keys(FACTORS).filter((factor) => $(FACTORS[factor]).checked);
      const preferred = $("mfa-preferred").value || null;
      const answer = await api("PUT", "auth/mfa", { body: { enabled, preferred }, ...page.auth() });
      if (!answer.ok) return showError(mfa, answer);
      showMfa(answer.data);
      const on = answer.data.enabled.join(", ") || "none";
      announce("mfa", `Saved. On: ${on}; preferred: ${answer.data.preferred || "none"}.`);
    });

    return { load };
  }

  return { wire };
})();
