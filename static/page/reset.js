// A forgotten password: ForgotPassword sends a code (POST /auth/forgot-password), then the code and a new password
// set it (POST /auth/reset-password). Under `make run` the page shows the code the local emulator sent.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const { values, clearErrors, showError, announce, hintCode } = window.PageShow;
  const { api } = window.PageSession;
  let username = null; // whose reset is under way

  // One request at a time per form: pressing it again while its request is under way does nothing.
  const onSubmit = (id, handler) =>
    $(id).addEventListener("submit", async (event) => {
      const form = event.currentTarget;
      event.preventDefault(); // a form is sent by the script, never by the browser
      if (form.getAttribute("aria-busy") === "true") return;
      form.setAttribute("aria-busy", "true");
      clearErrors(form);
      try {
        await handler(form, values(form));
      } finally {
        form.removeAttribute("aria-busy");
      }
    });

  onSubmit("forgot", async (form, body) => {
    const answer = await api("POST", "auth/forgot-password", { body });
    if (!answer.ok) return showError(form, answer);
    username = body.username;
    announce("forgot", `${answer.data.message} Enter it below with a new password.`);
    $("reset").hidden = false;
    $("reset").reset();
    clearErrors($("reset"));
    hintCode("reset-code", username, "EMAIL");
    $("reset-code").focus();
  });

  onSubmit("reset", async (form, body) => {
    const answer = await api("POST", "auth/reset-password", { body: { ...body, username } });
    if (!answer.ok) return showError(form, answer);
    form.reset();
    form.hidden = true;
    $("reset-code-sent").textContent = "";
    $("login-username").value = answer.data.username;
    announce("forgot", `The password of ${answer.data.username} is reset: sign in with it.`);
    $("login-password").focus();
  });
})();
