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
// OIDC_PROVIDER_CLOCK_OFFSET_MS moves its clock with the tests' (clock.mjs).
//
// Prints "OIDC-PROVIDER-READY <issuer>" on stdout once it is listening. With
// OIDC_PROVIDER_EXIT_WITH_STDIN=1 it stops when its standard input closes.
//
// Sign-in pages are minimal: a login form that takes a login name (any password)
// and looks the account up by that name, then a consent form.

import './clock.mjs';

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


const configuration = {
  clients: config.clients,
  jwks: config.jwks,
  cookies: { keys: config.cookieKeys || ['a-local-test-cookie-key'] },

  // The account id is the subject (`sub`) of the tokens.
  async findAccount(ctx, id) {
    const account = accounts.find((a) => a.sub === id);
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

  interactions: {
    url(ctx, interaction) {
      return `/interaction/${interaction.uid}`;
    },
  },

  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
  },
};

const provider = new Provider(issuer, configuration);

// The interaction pages: GET shows the form for the current prompt, POST answers it.
const page = (uid, prompt, body) => `<!DOCTYPE html>
<html><head><title>${prompt}</title></head><body>
<form method="post" action="/interaction/${uid}">
<input type="hidden" name="prompt" value="${prompt}"/>
${body}
<button type="submit">Continue</button>
</form></body></html>`;

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([A-Za-z0-9_-]+)(\/abort)?$/.exec(ctx.path);
  if (!match) {
    await next();
    return;
  }
  ctx.set('Cache-Control', 'no-store');
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { uid, prompt, params, session } = details;
  if (uid !== match[1]) ctx.throw(400, 'interaction mismatch');

  if (match[2] && ctx.method === 'GET') {
    // The person cancels at the provider.
    const returnTo = await provider.interactionResult(ctx.req, ctx.res, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
    ctx.redirect(returnTo);
    ctx.status = 303;
    return;
  }
  if (match[2]) ctx.throw(405);

  if (ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = prompt.name === 'login'
      ? page(uid, 'login', '<input name="login"/><input type="password" name="password"/>')
      : page(uid, 'consent', '');
    return;
  }
  if (ctx.method !== 'POST') ctx.throw(405);

  const form = await readForm(ctx.req);
  let result;
  if (form.get('prompt') === 'login' && prompt.name === 'login') {
    const account = accounts.find((a) => a.login === form.get('login'));
    if (!account) {
      ctx.type = 'html';
      ctx.body = page(uid, 'login', '<p>Unknown login</p><input name="login"/><input type="password" name="password"/>');
      return;
    }
    result = { login: { accountId: account.sub } };
  } else if (form.get('prompt') === 'consent' && prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    if (missingResourceScopes) {
      for (const [indicator, scope] of Object.entries(missingResourceScopes)) {
        grant.addResourceScope(indicator, scope.join(' '));
      }
    }
    result = { consent: { grantId: await grant.save() } };
  } else {
    ctx.throw(400, 'unexpected prompt');
  }
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
    mergeWithLastSubmission: true,
  });
  ctx.redirect(returnTo);
  ctx.status = 303;
});

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

// Started by the test fixture: stop when it goes away, even if it is killed.
if (process.env.OIDC_PROVIDER_EXIT_WITH_STDIN === '1') {
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}
