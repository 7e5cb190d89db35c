"""Company sign-in with OpenID Connect (DESIGN §7): accounts from the verified email, the
group claim mapped to the MLOps admin and manager roles at every sign-in."""
