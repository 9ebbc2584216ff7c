"""The portal behind the shipped nginx example, as a browser meets it: gunicorn with the portal's settings,
deploy/nginx-forward-auth.conf in front, an echoing upstream as the protected app, and axe-core."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import requests
from cryptography.hazmat.primitives import serialization

from tests.support.authenticator import Authenticator
from tests.support.forward_auth import Stack, start_nginx
from tests.support.helpers import bearer
from tests.support.servers import ROOT, free_port, gunicorn, pool_env
from tests.support.upstream import Upstream

AXE = Path(ROOT) / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def portal_stack(emulator: Any, pool: dict[str, Any], tmp_path: Path, idp: Any = None, **settings: str) -> Stack:
    """The stack, its browser address http://localhost:<port> (WebAuthn's relying party is `localhost`), with
    managed login on for that port (and `idp` as a provider when given)."""
    port = free_port()
    emulator.enable_oauth(pool, port, example_idp=idp)
    env = pool_env(
        pool,
        SESSION_REDIRECT_HOSTS=f"localhost:{port}",
        TRUSTED_PROXIES="1",
        COGNITO_DOMAIN=pool["cognito_domain"],
        PORTAL_FACTORS="password,email_code,passkey",
        SIGN_UP_ENABLED="true",
        RATE_LIMIT_LOGIN_USERNAME="30/minute",
        **({"OAUTH_IDENTITY_PROVIDERS": idp.provider()["ProviderName"]} if idp else {}),
        **settings,
    )
    upstream = Upstream()
    auth = gunicorn(env, "-c", "deploy/gunicorn.conf.py", workers=1)
    try:
        proxy = start_nginx(tmp_path, port, auth.port, upstream.port)
    except BaseException:
        auth.stop()
        upstream.stop()
        raise
    return Stack(f"http://localhost:{port}", upstream, auth, proxy, emulator, pool)


def stop(stack: Stack) -> None:
    """Stop the stack; the server must have written no traceback."""
    stack.proxy.stop()
    output = stack.auth.stop()
    stack.upstream.stop()
    assert "Traceback" not in output, output[-3000:]


def accessible(page: Any) -> None:
    """axe-core on the page as it stands: no serious or critical violation (evaluated beside the page's own
    policy, which lets no injected script run)."""
    assert AXE.exists(), "the portal's browser tests need axe-core: `make test` installs tests/axe"
    page.evaluate(AXE.read_text())
    violations = page.evaluate("async () => (await axe.run()).violations.map(v => [v.id, v.impact, v.help])")
    serious = [v for v in violations if v[1] in SERIOUS]
    assert not serious, (page.url, serious)


def hand_over_passkey(stack: Stack, access_token: str, cdp: Any, authenticator_id: str) -> None:
    """Register a passkey for the token's user through the proxy's API (a software authenticator making the
    attestation for the browser's origin), then give its key to the browser's virtual authenticator."""
    started = requests.post(f"{stack.url}/auth/passkeys/register/start", headers=bearer(access_token), timeout=10)
    assert started.status_code == 200, started.text
    software = Authenticator()
    made = software.create(started.json()["credential_creation_options"], origin=stack.url)
    finish = f"{stack.url}/auth/passkeys/register/finish"
    finished = requests.post(finish, json={"credential": made}, headers=bearer(access_token), timeout=10)
    assert finished.status_code == 201, finished.text
    passkey = software.passkeys[0]
    der = passkey.key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    credential = {
        "credentialId": base64.b64encode(passkey.credential_id).decode(),
        "isResidentCredential": True,
        "rpId": passkey.rp_id,
        "privateKey": base64.b64encode(der).decode(),
        "userHandle": base64.b64encode(passkey.user_handle).decode(),
        "signCount": 1,
    }
    cdp.send("WebAuthn.addCredential", {"authenticatorId": authenticator_id, "credential": credential})
