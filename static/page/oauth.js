// Managed login on the sign-in page: when /auth/config says the server offers it, links to sign in at the
// pool's own pages (and straight at each identity provider offered); back here signed in by cookie, the
// session's ID token claims (GET /auth/session) and a link that also signs out of managed login. Plain links:
// the server does the OAuth flow (GET /auth/oauth/authorize, its callback), this page holds no token.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const { api, current } = window.PageSession;

  function link(text, query) {
    const item = document.createElement("li");
    const anchor = document.createElement("a");
    anchor.href = `auth/oauth/authorize?${new URLSearchParams({ rd: "/", ...query })}`;
    anchor.textContent = text;
    item.append(anchor);
    return item;
  }

  const providerName = (provider) => (typeof provider === "string" ? provider : provider.custom);

  async function offer() {
    const config = await api("GET", "auth/config");
    const oauth = config.ok && config.data.oauth;
    if (!oauth) return;
    const links = $("managed-login-links");
    links.append(link("Sign in with managed login", {}));
    for (const provider of oauth.providers) {
      const name = providerName(provider);
      links.append(link(`Sign in with ${name}`, { identity_provider: name }));
    }
    $("managed-login").hidden = false;
    const session = await current();
    if (!session.ok || !session.data.claims) return;
    $("session-claims").textContent = JSON.stringify(session.data.claims, null, 2);
    $("session-claims-view").hidden = false;
  }

  offer();
})();
