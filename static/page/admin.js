// The signed-in view's "Delete my account" (DELETE /auth/me, after a confirmation) and, for members of the
// server's ADMIN_GROUP, a users view (GET /auth/admin/users; disable, enable, sign out). Loaded after app.js,
// whose `window.PageAuth()` says how a request proves the user (the access token, or the cookie), null when
// signed out. The account deleted, the page is loaded again signed out (the tokens it held are gone with it).
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const { describe, claimsOf, clearErrors } = window.PageShow;
  const { api } = window.PageSession;
  const DELETED = "#account-deleted";

  if (location.hash === DELETED) {
    $("account-deleted").hidden = false;
    history.replaceState(null, "", location.pathname);
  }

  // One request at a time per button (as app.js's): pressing it again meanwhile does nothing.
  function once(button, handler) {
    button.addEventListener("click", async (event) => {
      event.preventDefault();
      if (button.getAttribute("aria-busy") === "true") return;
      button.setAttribute("aria-busy", "true");
      try {
        await handler();
      } finally {
        button.removeAttribute("aria-busy");
      }
    });
  }

  const confirmBox = $("delete-account-confirm");
  const deleteButton = $("delete-account");
  confirmBox.addEventListener("change", () => (deleteButton.disabled = !confirmBox.checked));
  once(deleteButton, async () => {
    $("delete-account-error").textContent = "";
    const auth = window.PageAuth();
    if (!auth || !confirmBox.checked) return;
    const answer = await api("DELETE", "auth/me", auth);
    if (!answer.ok) return ($("delete-account-error").textContent = describe(answer));
    history.replaceState(null, "", location.pathname + DELETED);
    location.reload();
  });

  // The admin view: one row per user, with what an admin may do to them.
  function draw(users) {
    const list = $("admin-users");
    list.replaceChildren();
    for (const user of users) {
      const item = document.createElement("li");
      const email = user.attributes.email ? ` <${user.attributes.email}>` : "";
      item.textContent = `${user.username}${email}: ${user.status}, ${user.enabled ? "enabled" : "disabled"} `;
      const actions = [user.enabled ? ["disable", "Disable"] : ["enable", "Enable"], ["sign-out", "Sign out"]];
      for (const [action, words] of actions) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = words;
        button.setAttribute("aria-label", `${words} ${user.username}`);
        once(button, () => act(action, words, user.username));
        item.append(button);
      }
      list.append(item);
    }
    if (!users.length) list.textContent = "No user matches.";
  }

  async function search(filter = "") {
    const query = new URLSearchParams({ limit: "60", ...(filter ? { filter } : {}) });
    return api("GET", `auth/admin/users?${query}`, window.PageAuth() || {});
  }

  async function act(action, words, username) {
    $("admin-error").textContent = $("admin-done").textContent = "";
    const path = `auth/admin/users/${encodeURIComponent(username)}/${action}`;
    const answer = await api("POST", path, window.PageAuth() || {});
    if (!answer.ok) return ($("admin-error").textContent = describe(answer));
    $("admin-done").textContent = `${words}: done for ${username}.`;
    const again = await search($("admin-filter").value);
    if (again.ok) draw(again.data.users);
  }

  $("admin-search").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = $("admin-search");
    clearErrors(form);
    const answer = await search($("admin-filter").value);
    if (!answer.ok) {
      $("admin-filter").setAttribute("aria-invalid", "true");
      return ($("admin-filter-error").textContent = describe(answer));
    }
    draw(answer.data.users);
  });

  // Shown to members of a group only, and only when the server answers them the listing (ADMIN_GROUP set, and
  // theirs): everyone else never sees the view, and a user in no group never asks.
  async function offer() {
    const auth = window.PageAuth();
    $("admin-section").hidden = true;
    if (!auth) return;
    const groups = auth.token
      ? claimsOf(auth.token)["cognito:groups"]
      : ((await api("GET", "auth/session", { cookie: true })).data || {}).groups;
    if (!groups || !groups.length) return;
    const answer = await search();
    if (!answer.ok) return;
    draw(answer.data.users);
    $("admin-section").hidden = false;
  }

  // Each time the signed-in view appears (a sign-in, or a reload that finds the cookie's session).
  const view = $("session-view");
  new MutationObserver(() => {
    confirmBox.checked = false;
    deleteButton.disabled = true;
    $("delete-account-error").textContent = "";
    if (!view.hidden) offer();
  }).observe(view, { attributes: true, attributeFilter: ["hidden"] });
})();
