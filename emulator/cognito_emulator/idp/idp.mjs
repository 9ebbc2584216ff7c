// ExampleIdP: a real OpenID Connect provider (npm's oidc-provider) the embedded Cognito emulator federates
// with, for local runs and tests only. Its development interactions accept any login and password; the
// account's sub is the login given. Started by cognito_emulator/oauth/example_idp.py with:
//   IDP_PORT          the loopback port to listen on
//   IDP_CLIENT_ID     the emulator's client id here
//   IDP_CLIENT_SECRET its secret
//   IDP_REDIRECT_URI  the emulator's /oauth2/idpresponse
import { randomBytes } from "node:crypto";
import http from "node:http";

import Provider from "oidc-provider";

const port = Number(process.env.IDP_PORT);
const issuer = `http://127.0.0.1:${port}`;

// Every account exists: the claims are made from the login, as a directory would hold them.
async function findAccount(ctx, sub) {
  return {
    accountId: sub,
    async claims() {
      return { sub, email: `${sub}@example.com`, email_verified: true, name: `Example ${sub}` };
    },
  };
}

// A first-party client: the user's consent is implied, so the login is the only interaction.
async function loadExistingGrant(ctx) {
  const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
  if (grantId) {
    return ctx.oidc.provider.Grant.find(grantId);
  }
  const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
  grant.addOIDCScope("openid email profile");
  await grant.save();
  return grant;
}

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.IDP_CLIENT_ID,
      client_secret: process.env.IDP_CLIENT_SECRET,
      redirect_uris: [process.env.IDP_REDIRECT_URI],
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  cookies: { keys: [randomBytes(32).toString("hex")] }, // a fresh key each start: its sessions end with it
  findAccount,
  loadExistingGrant,
  features: { devInteractions: { enabled: true } },
  ttl: { Interaction: 600, Session: 3600, Grant: 3600 }, // minutes of a local sign-in, not production policy
});
provider.on("server_error", (ctx, err) => console.error(`ExampleIdP error: ${err.message}`));

// The launcher holds this process's stdin open: when it ends, however abruptly, so does the IdP.
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();

// /health answers before the provider does anything: the launcher waits for it.
const callback = provider.callback();
http
  .createServer((req, res) => {
    if (req.url === "/health") {
      res.writeHead(200, { "Content-Type": "text/plain" }).end("ok");
      return;
    }
    callback(req, res);
  })
  .listen(port, "127.0.0.1", () => console.log(`ExampleIdP listening on ${issuer}`));
