// A real OpenID Connect provider (the `oidc-provider` package) for the end-to-end
// sign-in tests. It stands in for the force's staff identity provider and for
// GOV.UK One Login.
//
// Usage: node tests/oidc/provider.mjs <config.json> [port]
//
// The JSON config holds:
//   port     - TCP port on 127.0.0.1 (the argument or OIDC_PROVIDER_PORT wins)
//   jwks     - {keys: [...]} private signing keys (RS256 and/or ES256) owned by the tests
//   clients  - client metadata in oidc-provider's own shape
//   accounts - [{login, sub, email, name, roles, vot?}]
//   cookieKeys - keys that sign the provider's own cookies
//
// Prints "OIDC-PROVIDER-READY <issuer>" on stdout once it is listening.
//
// Sign-in uses the provider's built-in development interactions: the login form
// accepts a login name (any password) and the account is looked up by that name.

import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const [configPath, portArg] = process.argv.slice(2);
if (!configPath) {
  console.error('usage: node provider.mjs <config.json> [port]');
  process.exit(2);
}

const config = JSON.parse(readFileSync(configPath, 'utf8'));
const port = Number(portArg || process.env.OIDC_PROVIDER_PORT || config.port);
if (!Number.isInteger(port) || port <= 0) {
  console.error('a port is required (argument, OIDC_PROVIDER_PORT or "port" in the config)');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const accounts = config.accounts || [];

function lookUp(id) {
  return accounts.find((a) => a.login === id) || accounts.find((a) => a.sub === id);
}

const configuration = {
  clients: config.clients,
  jwks: config.jwks,
  cookies: { keys: config.cookieKeys || ['a-local-test-cookie-key'] },

  async findAccount(ctx, id) {
    const account = lookUp(id);
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        const claims = {
          sub: account.sub,
          email: account.email,
          email_verified: true,
          name: account.name,
          roles: account.roles || [],
        };
        if (account.vot) claims.vot = account.vot;
        return claims;
      },
    };
  },

  // Which claims each scope releases; `vot` (One Login's vector of trust) comes
  // with `openid`, the group list with `profile`.
  claims: {
    openid: ['sub', 'vot'],
    email: ['email', 'email_verified'],
    profile: ['name', 'roles'],
  },
  scopes: ['openid', 'email', 'profile', 'offline_access'],
  // Scope claims go in the ID token itself, as Entra ID and One Login do.
  conformIdTokenClaims: false,
  // One Login's vector-of-trust request; ui_locales is standard.
  extraParams: ['vtr'],
  responseTypes: ['code'],
  pkce: { required: () => true },

  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
};

const provider = new Provider(issuer, configuration);

provider.on('server_error', (ctx, err) => {
  console.error('server_error', err);
});

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`OIDC-PROVIDER-READY ${issuer}`);
});

function stop() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
