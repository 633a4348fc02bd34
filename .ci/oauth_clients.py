"""Drives the release server's OAuth 2.0 endpoints with two client libraries nobody here wrote:
authlib and requests-oauthlib (from PyPI). Password login as a frontend does it (a public
`client_id`), automatic refresh of an expired access token, revocation, and the
client-credentials grant of a confidential client with HTTP Basic.

Usage: oauth_clients.py BASE_URL ADMIN_ACCESS_TOKEN USERNAME PASSWORD. Exits 0 when every flow
worked, with what happened printed.
"""

import os
import sys
import time

# The release server listens on loopback HTTP here; oauthlib insists on HTTPS otherwise.
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

import requests
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession
from requests_oauthlib import OAuth2Session
from oauthlib.oauth2 import BackendApplicationClient, LegacyApplicationClient

base, admin_token, username, password = sys.argv[1:5]
token_url = f"{base}/api/v1/auth/token"
revoke_url = f"{base}/api/v1/auth/revoke"
me_url = f"{base}/api/v1/me"


def check(condition, what):
    if not condition:
        sys.exit(f"FAILED: {what}")
    print(f"ok: {what}")


def expired(token):
    """The token as a library stores it, its access token past its time."""
    return dict(token, expires_in=-30, expires_at=int(time.time()) - 30)


def authlib_flows():
    session = AuthlibSession(
        client_id="liaison-web",
        token_endpoint_auth_method="none",
        token_endpoint=token_url,
        revocation_endpoint=revoke_url,
    )
    token = session.fetch_token(token_url, username=username, password=password)
    check(session.get(me_url).json()["username"] == username, "authlib: password grant, /me")
    refreshed = {}
    session = AuthlibSession(
        client_id="liaison-web",
        token_endpoint_auth_method="none",
        token=expired(token),
        token_endpoint=token_url,
        update_token=lambda new, **_: refreshed.update(new),
    )
    check(session.get(me_url).status_code == 200, "authlib: a request with an expired token")
    check(refreshed.get("refresh_token") not in (None, token["refresh_token"]),
          "authlib: refreshed automatically (rotated refresh token)")
    revoked = session.revoke_token(revoke_url, token=refreshed["refresh_token"],
                                   token_type_hint="refresh_token")
    check(revoked.status_code == 200, "authlib: revoke_token")
    again = requests.post(token_url, data={"grant_type": "refresh_token",
                                           "refresh_token": refreshed["refresh_token"]})
    check(again.status_code == 400 and again.json()["error"] == "invalid_grant",
          "authlib: the revoked login cannot refresh")


def requests_oauthlib_flows():
    client = LegacyApplicationClient(client_id="liaison-web")
    session = OAuth2Session(client=client)
    token = session.fetch_token(token_url, username=username, password=password,
                                include_client_id=True)
    check(session.get(me_url).json()["username"] == username,
          "requests-oauthlib: password grant, /me")
    saved = {}
    session = OAuth2Session(
        client_id="liaison-web",
        token=expired(token),
        auto_refresh_url=token_url,
        auto_refresh_kwargs={"client_id": "liaison-web"},
        token_updater=saved.update,
    )
    check(session.get(me_url).status_code == 200,
          "requests-oauthlib: a request with an expired token")
    check(saved.get("refresh_token") not in (None, token["refresh_token"]),
          "requests-oauthlib: refreshed automatically")


def client_credentials_flows():
    made = requests.post(f"{base}/api/v1/clients",
                         headers={"Authorization": f"Bearer {admin_token}"},
                         json={"name": "CI 客户端库检查", "department": "czt", "roles": ["analyst"]})
    check(made.status_code == 201, "a confidential client created")
    client_id, secret = made.json()["client_id"], made.json()["client_secret"]
    session = AuthlibSession(client_id=client_id, client_secret=secret)
    session.fetch_token(token_url, grant_type="client_credentials")
    check(session.get(me_url).json()["kind"] == "client", "authlib: client_credentials (Basic)")
    backend = OAuth2Session(client=BackendApplicationClient(client_id=client_id))
    backend.fetch_token(token_url, client_id=client_id, client_secret=secret)
    check(backend.get(me_url).json()["kind"] == "client", "requests-oauthlib: client_credentials")
    wrong = AuthlibSession(client_id=client_id, client_secret="not-the-secret")
    try:
        wrong.fetch_token(token_url, grant_type="client_credentials")
        check(False, "authlib: a wrong secret is refused")
    except Exception as e:  # noqa: BLE001 - authlib raises its OAuthError
        check("invalid_client" in str(e), "authlib: a wrong secret is invalid_client")


authlib_flows()
requests_oauthlib_flows()
client_credentials_flows()
print("OAuth client libraries: every flow worked")
