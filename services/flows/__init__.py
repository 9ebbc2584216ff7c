"""What a user does through Cognito, by stage of an account's life: sign-up (`sign_up.py`), sign-in and its
challenges (`sign_in.py`), choice-based sign-in (`passwordless.py`), the signed-in account (`account_calls.py`)
and its passkeys (`passkey_calls.py`), combined as `AuthService` (`auth_service.py`); their answers in the API's
words (`sign_in_answers.py`), TOTP secrets (`totp.py`), managed login at the pool's domain (`managed_login.py`),
where a browser goes after signing in (`redirects.py`), and what follows every sign-in and a sign-out
(`after_sign_in.py`, `SignIns`)."""
