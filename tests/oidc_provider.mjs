// A real OpenID provider for tests/test_oidc.py: the npm package oidc-provider on 127.0.0.1.
//
//   node tests/oidc_provider.mjs PORT REDIRECT_URI [forged-keys | names:FIELD=URL | oversized]
//
// One confidential client ("vitrine", secret "vitrine-secret") whose only redirect URI is the test
// server's callback; the provider's own login and consent forms (devInteractions: the login name is
// the account id, any password); fixed accounts with the claims the role rules read. Prints
// "listening <issuer>" on stdout once it accepts connections. With "forged-keys" its JWKS publishes
// another key under the signing key's id: its ID tokens are then ones a forger could have made.
// With "names:FIELD=URL" its discovery document names URL as FIELD (token_endpoint, jwks_uri, ...):
// a provider that sends the server fetching it somewhere else. With "oversized" the discovery document
// carries 4 MB more than it should.
import { generateKeyPairSync } from 'node:crypto';

import Provider from 'oidc-provider';

const [port, redirectUri, mode] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const ACCOUNTS = {
  alice: { name: 'Alice Peeters', email: 'alice@kbr.example', groups: ['staff', 'kbr-curators'] },
  bruno: { name: 'Bruno Lambert', email: 'bruno@kbr.example', groups: ['staff'] },
};

// The signing key is made per run, so a token signed by any other key is one the JWKS does not hold.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signing = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'vitrine',
    client_secret: 'vitrine-secret',
    redirect_uris: [redirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signing] },
  cookies: { keys: ['tests-only-cookie-key'] },
  claims: {
    openid: ['sub'],
    profile: ['name'],
    email: ['email'],
    groups: ['groups'],
  },
  scopes: ['openid', 'profile', 'email', 'groups'],
  // The ID token says who (sub); name, email and groups come from the userinfo endpoint, as the
  // specification has it when an access token is issued (conformIdTokenClaims, the default).
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
});

if (mode === 'forged-keys') {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const published = { ...publicKey.export({ format: 'jwk' }), kid: signing.kid, use: 'sig', alg: 'RS256' };
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/jwks') ctx.body = { keys: [published] };
  });
}

if (mode && mode.startsWith('names:')) {
  const [field, url] = mode.slice('names:'.length).split(/=(.*)/s);
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/.well-known/openid-configuration') ctx.body = { ...ctx.body, [field]: url };
  });
}

if (mode === 'oversized') {
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/.well-known/openid-configuration') ctx.body = { ...ctx.body, padding: 'x'.repeat(4 << 20) };
  });
}

const server = provider.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write(`listening ${issuer}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
