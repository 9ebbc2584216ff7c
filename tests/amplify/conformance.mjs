// AWS Amplify JS v6, unmodified, against the embedded emulator: one named scenario per run, for
// tests/test_conformance_amplify.py.
//
// Usage: node conformance.mjs '<config JSON>' <scenario>
//   config: {"userPoolId", "userPoolClientId", "endpoint" (the emulator's URL), "username", "password", "email",
//            "newEmail"}
//   stdout: JSON lines. {"step": name, "ok": true, "value": …} or {"step": name, "ok": false, "error": the
//           AuthError's name (Cognito's exception name), "message"} per call; {"ask": {…}} when the scenario needs
//           what only the test process knows (a delivered code, a TOTP code), answered by one JSON line on stdin;
//           {"done": true} last.
// A failing step does not stop the scenario: the test reads every step and says which one differs from Cognito.
import { createInterface } from "node:readline";
import { Amplify } from "aws-amplify";
import {
  confirmSignIn,
  confirmSignUp,
  confirmUserAttribute,
  deleteUser,
  fetchAuthSession,
  fetchDevices,
  fetchMFAPreference,
  fetchUserAttributes,
  forgetDevice,
  getCurrentUser,
  rememberDevice,
  setUpTOTP,
  signIn,
  signOut,
  signUp,
  updateMFAPreference,
  updateUserAttributes,
  verifyTOTPSetup,
} from "aws-amplify/auth";
import { cognitoUserPoolsTokenProvider } from "aws-amplify/auth/cognito";

const config = JSON.parse(process.argv[2]);
const scenario = process.argv[3];

// Node has no localStorage: tokens live in memory for the run (a KeyValueStorageInterface).
const memory = new Map();
const storage = {
  setItem: async (key, value) => void memory.set(key, value),
  getItem: async (key) => memory.get(key) ?? null,
  removeItem: async (key) => void memory.delete(key),
  clear: async () => memory.clear(),
};

// Amplify names a device it confirms by navigator.userAgent; Node before 21 has no navigator, and Amplify then
// skips ConfirmDevice silently (getNewDeviceMetadata swallows the error). A browser always has one.
globalThis.navigator ??= { userAgent: "conformance.mjs (Node.js)" };

Amplify.configure({
  Auth: {
    Cognito: {
      userPoolId: config.userPoolId,
      userPoolClientId: config.userPoolClientId,
      userPoolEndpoint: config.endpoint, // Amplify 6's override of https://cognito-idp.<region>.amazonaws.com/
      loginWith: { username: true, email: false },
    },
  },
});
cognitoUserPoolsTokenProvider.setKeyValueStorage(storage);

const emit = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);
const stdin = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

async function ask(question) {
  emit({ ask: question });
  const { value, done } = await stdin.next();
  if (done) throw new Error("the test process closed stdin");
  return JSON.parse(value);
}

async function step(name, call) {
  try {
    const value = await call();
    emit({ step: name, ok: true, value: value ?? null });
    return value;
  } catch (err) {
    // Name and message only: Amplify names its errors after Cognito's exceptions.
    emit({ step: name, ok: false, error: err?.name ?? typeof err, message: String(err?.message ?? err).slice(0, 300) });
    return undefined;
  }
}

const { username, password } = config;
const wrongPassword = `${password}-wrong`;

async function tokens() {
  const session = await fetchAuthSession();
  return {
    accessToken: session.tokens?.accessToken?.toString() ?? null,
    idToken: session.tokens?.idToken?.toString() ?? null,
  };
}

async function forcedRefresh() {
  const session = await fetchAuthSession({ forceRefresh: true });
  return { accessToken: session.tokens?.accessToken?.toString(), idToken: session.tokens?.idToken?.toString() };
}

const scenarios = {
  async "sign-up"() {
    await step("signUp", () =>
      signUp({ username, password, options: { userAttributes: { email: config.email }, autoSignIn: false } }),
    );
    const codes = await ask({ code: username, medium: "EMAIL" });
    await step("confirmSignUp wrong code", () => confirmSignUp({ username, confirmationCode: codes.wrong }));
    await step("confirmSignUp", () => confirmSignUp({ username, confirmationCode: codes.code }));
  },

  async srp() {
    await step("signIn wrong password", () => signIn({ username, password: wrongPassword }));
    await step("signIn", () => signIn({ username, password }));
    await step("getCurrentUser", () => getCurrentUser());
    await step("tokens", tokens);
  },

  async "user-password"() {
    const options = { authFlowType: "USER_PASSWORD_AUTH" };
    await step("signIn wrong password", () => signIn({ username, password: wrongPassword, options }));
    await step("signIn", () => signIn({ username, password, options }));
    await step("tokens", tokens);
  },

  async "user-auth-email-otp"() {
    const options = { authFlowType: "USER_AUTH", preferredChallenge: "EMAIL_OTP" };
    await step("signIn", () => signIn({ username, options }));
    const codes = await ask({ code: username, medium: "EMAIL" });
    await step("confirmSignIn", () => confirmSignIn({ challengeResponse: codes.code }));
    await step("tokens", tokens);
  },

  async "user-auth-password-srp"() {
    const options = { authFlowType: "USER_AUTH", preferredChallenge: "PASSWORD_SRP" };
    await step("signIn wrong password", () => signIn({ username, password: wrongPassword, options }));
    await step("signIn", () => signIn({ username, password, options }));
    await step("tokens", tokens);
  },

  async totp() {
    const options = { authFlowType: "USER_PASSWORD_AUTH" };
    await step("signIn", () => signIn({ username, password, options }));
    const first = await step("setUpTOTP", async () => (await setUpTOTP()).sharedSecret);
    const secret = await step("setUpTOTP again", async () => (await setUpTOTP()).sharedSecret);
    // A code of the first association's secret: a new association replaces it.
    const stale = await ask({ totp: first ?? "", offset: 0 });
    await step("verifyTOTPSetup with the replaced secret's code", () => verifyTOTPSetup({ code: stale.code }));
    const codes = await ask({ totp: secret ?? "", offset: 0 });
    await step("verifyTOTPSetup wrong code", () => verifyTOTPSetup({ code: codes.wrong }));
    await step("verifyTOTPSetup", () => verifyTOTPSetup({ code: codes.code }));
    await step("updateMFAPreference", () => updateMFAPreference({ totp: "PREFERRED" }));
    await step("fetchMFAPreference", () => fetchMFAPreference());
    await step("signOut", () => signOut());
    await step("signIn with TOTP", () => signIn({ username, password, options }));
    // The next 30-second step's code: within Cognito's window, and not the code set-up already used.
    const next = await ask({ totp: secret ?? "", offset: 30 });
    await step("confirmSignIn wrong code", () => confirmSignIn({ challengeResponse: next.wrong }));
    await step("confirmSignIn", () => confirmSignIn({ challengeResponse: next.code }));
    await step("tokens", tokens);
  },

  async refresh() {
    await step("signIn", () => signIn({ username, password, options: { authFlowType: "USER_PASSWORD_AUTH" } }));
    await step("tokens", tokens);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a later `iat`, so new tokens differ
    await step("fetchAuthSession forceRefresh", forcedRefresh);
  },

  async attributes() {
    await step("signIn", () => signIn({ username, password, options: { authFlowType: "USER_PASSWORD_AUTH" } }));
    await step("updateUserAttributes", () => updateUserAttributes({ userAttributes: { email: config.newEmail } }));
    await step("fetchUserAttributes before confirming", () => fetchUserAttributes());
    const codes = await ask({ code: username, medium: "EMAIL" });
    await step("confirmUserAttribute wrong code", () =>
      confirmUserAttribute({ userAttributeKey: "email", confirmationCode: codes.wrong }),
    );
    await step("confirmUserAttribute", () =>
      confirmUserAttribute({ userAttributeKey: "email", confirmationCode: codes.code }),
    );
    await step("fetchUserAttributes", () => fetchUserAttributes());
  },

  async "delete-user"() {
    await step("signIn", () => signIn({ username, password, options: { authFlowType: "USER_PASSWORD_AUTH" } }));
    await step("deleteUser", () => deleteUser());
    await step("getCurrentUser after deleteUser", () => getCurrentUser());
    await step("signIn after deleteUser", () =>
      signIn({ username, password, options: { authFlowType: "USER_PASSWORD_AUTH" } }),
    );
  },

  // A pool that tracks devices: the first sign-in's device is confirmed by Amplify itself (NewDeviceMetadata,
  // ConfirmDevice); remembered, it signs in without TOTP (DEVICE_SRP_AUTH); forgotten, TOTP is asked again.
  async devices() {
    await step("signIn", () => signIn({ username, password }));
    const secret = await step("setUpTOTP", async () => (await setUpTOTP()).sharedSecret);
    const codes = await ask({ totp: secret ?? "", offset: 0 });
    await step("verifyTOTPSetup", () => verifyTOTPSetup({ code: codes.code }));
    await step("updateMFAPreference", () => updateMFAPreference({ totp: "PREFERRED" }));
    await step("fetchDevices before remembering", () => fetchDevices());
    await step("rememberDevice", () => rememberDevice());
    await step("fetchDevices", () => fetchDevices());
    await step("signOut", () => signOut());
    await step("signIn from the remembered device", () => signIn({ username, password }));
    await step("tokens", tokens);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // a later `iat`, so new tokens differ
    await step("fetchAuthSession forceRefresh on the device", forcedRefresh);
    await step("forgetDevice", () => forgetDevice());
    await step("fetchDevices after forgetDevice", () => fetchDevices());
    await step("fetchAuthSession forceRefresh after forgetDevice", forcedRefresh);
    await step("signOut again", () => signOut());
    await step("signIn after forgetDevice", () => signIn({ username, password }));
    const next = await ask({ totp: secret ?? "", offset: 30 });
    await step("confirmSignIn", () => confirmSignIn({ challengeResponse: next.code }));
    await step("fetchDevices at the end", () => fetchDevices());
  },

  // Two MFA factors on and none preferred: Cognito asks which (SELECT_MFA_TYPE, MFAS_CAN_CHOOSE a JSON array in a
  // string, which Amplify parses into allowedMFATypes), then the chosen one's code.
  async "mfa-select"() {
    await step("signIn", () => signIn({ username, password, options: { authFlowType: "USER_PASSWORD_AUTH" } }));
    const secret = await step("setUpTOTP", async () => (await setUpTOTP()).sharedSecret);
    const codes = await ask({ totp: secret ?? "", offset: 0 });
    await step("verifyTOTPSetup", () => verifyTOTPSetup({ code: codes.code }));
    await step("updateMFAPreference", () => updateMFAPreference({ totp: "ENABLED", email: "ENABLED" }));
    await step("fetchMFAPreference", () => fetchMFAPreference());
    await step("signOut", () => signOut());
    const again = { username, password, options: { authFlowType: "USER_PASSWORD_AUTH" } };
    await step("signIn asks the choice", () => signIn(again));
    await step("confirmSignIn EMAIL", () => confirmSignIn({ challengeResponse: "EMAIL" }));
    const emailed = await ask({ code: username, medium: "EMAIL" });
    await step("confirmSignIn wrong emailed code", () => confirmSignIn({ challengeResponse: emailed.wrong }));
    await step("confirmSignIn emailed code", () => confirmSignIn({ challengeResponse: emailed.code }));
    await step("signOut again", () => signOut());
    await step("signIn asks the choice again", () => signIn(again));
    await step("confirmSignIn TOTP", () => confirmSignIn({ challengeResponse: "TOTP" }));
    const next = await ask({ totp: secret ?? "", offset: 30 });
    await step("confirmSignIn TOTP code", () => confirmSignIn({ challengeResponse: next.code }));
  },

  // Side by side with this server on one user (tests/test_amplify_side_by_side.py): what Amplify reads of what
  // the server wrote, and what it writes for the server to read.
  async "side-read"() {
    await step("signIn", () => signIn({ username, password, options: { authFlowType: "USER_PASSWORD_AUTH" } }));
    await step("fetchUserAttributes", () => fetchUserAttributes());
    await step("fetchDevices", () => fetchDevices());
  },

  async "side-write"() {
    await step("signIn", () => signIn({ username, password, options: { authFlowType: "USER_PASSWORD_AUTH" } }));
    await step("updateUserAttributes", () => updateUserAttributes({ userAttributes: config.attributes ?? {} }));
    await step("rememberDevice", () => rememberDevice());
    await step("fetchDevices", () => fetchDevices());
  },

  async "global-sign-out"() {
    await step("signIn", () => signIn({ username, password, options: { authFlowType: "USER_PASSWORD_AUTH" } }));
    await step("tokens", tokens);
    await step("signOut global", () => signOut({ global: true }));
    await step("getCurrentUser after signOut", () => getCurrentUser());
  },
};

if (!(scenario in scenarios)) {
  emit({ step: "scenario", ok: false, error: "UnknownScenario", message: scenario });
  process.exit(2);
}
await scenarios[scenario]();
emit({ done: true });
process.exit(0);
