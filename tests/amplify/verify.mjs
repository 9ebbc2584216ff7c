// aws-jwt-verify's CognitoJwtVerifier on tokens the emulator issued, for tests/test_conformance_jwt.py.
//
// Usage: node verify.mjs '<config JSON>' < tokens.json
//   config: {"userPoolId", "clientId": [...], "jwksUrl" (the emulator's JWKS over HTTP)}
//   stdin:  a JSON list of {"token", "tokenUse": "id"|"access"}
//   stdout: {"verdicts": [{"accepted", "error", "payload"}...], "fetched": [the JWKS URIs the verifier asked for]}
//
// The verifier derives the JWKS URI from the pool's issuer (https://cognito-idp.<region>.amazonaws.com/<pool>/...);
// its fetcher is the one thing swapped: it answers that URI with the emulator's JWKS, fetched over HTTP.
import { readFileSync } from "node:fs";
import { CognitoJwtVerifier } from "aws-jwt-verify";
import { SimpleJwksCache } from "aws-jwt-verify/jwk";

const config = JSON.parse(process.argv[2]);
const tokens = JSON.parse(readFileSync(0, "utf8"));
const fetched = [];

const fetcher = {
  async fetch(uri) {
    fetched.push(uri);
    if (!uri.endsWith(`/${config.userPoolId}/.well-known/jwks.json`)) throw new Error(`unexpected JWKS URI ${uri}`);
    const response = await fetch(config.jwksUrl);
    if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
    return response.arrayBuffer();
  },
};

const verifiers = Object.fromEntries(
  ["id", "access"].map((tokenUse) => [
    tokenUse,
    CognitoJwtVerifier.create(
      { userPoolId: config.userPoolId, tokenUse, clientId: config.clientId },
      { jwksCache: new SimpleJwksCache({ fetcher }) },
    ),
  ]),
);

const verdicts = [];
for (const { token, tokenUse } of tokens) {
  try {
    const payload = await verifiers[tokenUse].verify(token);
    verdicts.push({ accepted: true, error: null, payload });
  } catch (err) {
    verdicts.push({
      accepted: false,
      error: `${err?.constructor?.name ?? typeof err}: ${String(err?.message ?? err).slice(0, 200)}`,
      payload: null,
    });
  }
}
process.stdout.write(JSON.stringify({ verdicts, fetched }));
