// A real OpenID Connect provider on loopback, for the company sign-in tests only.
//
//   node server.mjs PORT REDIRECT_URI USERS_JSON
//
// USERS_JSON maps a login to its claims ({"alice": {"email": ..., "groups": [...]}}); it is
// read at every sign-in, so a test changes a person's groups by rewriting the file. The
// provider's own development sign-in pages are used (any password is accepted): what is
// tested is the OpenID Connect flow, the ID token and the claims, not this provider's login.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const [port, redirectUri, usersFile] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

function claimsOf(login) {
  const users = JSON.parse(readFileSync(usersFile, 'utf8'));
  return users[login];
}

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'mlopsscore',
    client_secret: 'mlopsscore-test-secret',
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_post',
  }],
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
    groups: ['groups'],
  },
  pkce: { required: () => false },
  async findAccount(ctx, id) {
    const claims = claimsOf(id);
    if (!claims) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...claimsOf(id) }; } };
  },
  // The relying party is first-party: no consent screen.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
  features: { devInteractions: { enabled: true } },
});

provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`oidc-provider ready at ${issuer}`);
});
