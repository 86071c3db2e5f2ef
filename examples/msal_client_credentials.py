"""Client credentials against Elevate with Microsoft's MSAL for Python, then one Graph call.

The same code works against Microsoft Entra ID; for Elevate only the authority (Elevate's base
URL and your tenant id) changes, and MSAL is told not to ask Microsoft about that authority.

    ELEVATE_URL=https://pim.example.com \\
    ELEVATE_TENANT_ID=... ELEVATE_CLIENT_ID=... ELEVATE_CLIENT_SECRET=... \\
    ELEVATE_CA_FILE=/path/to/elevate-cert.pem \\
    python3 examples/msal_client_credentials.py

ELEVATE_CA_FILE is only needed when Elevate's certificate is not signed by a CA the machine
already trusts (a self-signed certificate, a private CA). Needs `msal` and `requests`
(Debian/Ubuntu: `apt-get install python3-msal`; elsewhere `pip install msal`).

Prints one JSON object: the built-in role definitions, or MSAL's error (exit status 1).
"""
import json
import os
import sys

import msal
import requests


def main():
    base = os.environ["ELEVATE_URL"].rstrip("/")
    tenant_id = os.environ["ELEVATE_TENANT_ID"]
    # True: the system's trusted CAs; a path: trust exactly that certificate (or bundle).
    verify = os.environ.get("ELEVATE_CA_FILE") or True

    app = msal.ConfidentialClientApplication(
        os.environ["ELEVATE_CLIENT_ID"],
        client_credential=os.environ["ELEVATE_CLIENT_SECRET"],
        authority=f"{base}/{tenant_id}",
        # Elevate is not a Microsoft cloud: do not look the authority up at login.microsoftonline.com.
        validate_authority=False,
        instance_discovery=False,
        verify=verify,
    )
    result = app.acquire_token_for_client(scopes=[f"{base}/.default"])
    if "access_token" not in result:
        print(json.dumps({k: result.get(k) for k in
                          ("error", "error_description", "error_codes", "correlation_id", "trace_id")}))
        return 1

    response = requests.get(
        f"{base}/v1.0/roleManagement/directory/roleDefinitions",
        params={"$filter": "isBuiltIn eq true", "$select": "id,displayName"},
        headers={"Authorization": f"Bearer {result['access_token']}"},
        verify=verify,
        timeout=30,
    )
    response.raise_for_status()
    print(json.dumps({
        "token_type": result.get("token_type"),
        "expires_in": result.get("expires_in"),
        "roleDefinitions": response.json()["value"],
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
