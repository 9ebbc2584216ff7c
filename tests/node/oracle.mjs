// Reference verdicts from aws-jwt-verify for tests/test_oracle.py.
//
// Usage: node oracle.mjs '<config JSON>' < tokens.json
//   config: {"userPoolId", "clientId": [...], "graceSeconds", "now" (epoch seconds), "jwks"}
//   stdin:  a JSON list of tokens (strings)
//   stdout: a JSON list, one {"accepted": bool, "error": string|null} per token, in order
//
// The JWKS is handed over with cacheJwks and checked with verifySync, so nothing touches the network.
// Date.now is pinned to config.now so expiry boundaries give the same verdicts as the Python side.
import { readFileSync } from "node:fs";
import { CognitoJwtVerifier } from "aws-jwt-verify";

const config = JSON.parse(process.argv[2]);
const tokens = JSON.parse(readFileSync(0, "utf8"));

Date.now = () => config.now * 1000;

const verifier = CognitoJwtVerifier.create({
  userPoolId: config.userPoolId, // both issuer forms of the pool are accepted by 5.2
  tokenUse: null, // ID and access tokens alike
  clientId: config.clientId,
  graceSeconds: config.graceSeconds,
});
verifier.cacheJwks(config.jwks);

const verdicts = tokens.map((token) => {
  try {
    verifier.verifySync(token);
    return { accepted: true, error: null };
  } catch (err) {
    // Name and message only: enough to read a summary, never the whole token.
    return { accepted: false, error: `${err?.constructor?.name ?? typeof err}: ${String(err?.message ?? err).slice(0, 160)}` };
  }
});
process.stdout.write(JSON.stringify(verdicts));
