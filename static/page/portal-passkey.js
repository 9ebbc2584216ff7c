// The portal's passkey step (templates/portal-step.html): ask the browser for the passkey with the options
// Cognito sent (the form's data-options), put its answer into the form, and submit it. Nothing else runs on
// the portal; without a script, this is the only step that cannot be taken.
"use strict";

(() => {
  const form = document.getElementById("step-form");
  const status = document.getElementById("passkey-status");
  const button = document.getElementById("passkey-button");
  async function ask() {
    button.disabled = true;
    const result = await window.PagePasskeys.get(JSON.parse(form.dataset.options));
    if (!result.ok) {
      status.textContent = result.message;
      button.disabled = false;
      return;
    }
    document.getElementById("credential").value = JSON.stringify(result.credential);
    status.textContent = "Signing in…";
    form.submit();
  }
  button.addEventListener("click", ask);
  ask();
})();
