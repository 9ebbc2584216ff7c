"""Local tooling: the embedded Cognito emulator and pool set-up. Never imported by the production server."""
