"""Evidence without secrets (DESIGN §6.6): CI ID tokens checked against trust policies.

``oidc`` verifies a token (keys from the issuer's discovery document, cached);
``models`` holds the policies and the identities that posted; ``services`` writes them;
``authentication`` lets DRF accept such a token on the evidence API.
"""
