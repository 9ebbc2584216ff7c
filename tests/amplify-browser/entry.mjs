// What the browser test's page calls: Amplify JS v6's configure and its Cognito sign-in functions, on `window`.
import { Amplify } from "aws-amplify";
// The callback page finishes signInWithRedirect (the code exchange) only with the OAuth listener on.
import "aws-amplify/auth/enable-oauth-listener";
import { fetchAuthSession, signIn, signInWithRedirect, signOut } from "aws-amplify/auth";

window.Amplify = Amplify;
window.configure = (config) => Amplify.configure(config);
window.signIn = signIn;
window.signInWithRedirect = signInWithRedirect;
window.fetchAuthSession = fetchAuthSession;
window.signOut = signOut;
