// A certified OpenID provider (panva/node-oidc-provider, OpenID Certified) run locally, set up as a
// Swedish e-ID broker would be: the profile's scope and claim names, acr levels, the personnummer
// released only through userinfo (the library's default: scope claims stay out of the ID token),
// RFC 9207's iss on every authorization response, PKCE, and RP-initiated logout.
// Nothing of Insats is in here: tests/integration/identity/test_certified_provider.py starts it with a
// JSON file (argv[2]) naming its port, people and clients, and points Insats at it by OIDC_* only.
//
// Its one page (the "e-ID" step) is a plain form: who logs in and at which assurance level.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const setup = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${setup.port}`;
const PNR = 'https://id.oidc.se/claim/personalIdentityNumber';

const provider = new Provider(issuer, {
  clients: setup.clients,
  jwks: setup.jwks,
  cookies: { keys: ['insats-certified-op-test-cookie-key'] },
  acrValues: setup.acr_values,
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name'],
    'https://id.oidc.se/scope/naturalPersonNumber': [PNR],
  },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: { enabled: true },
  },
  async findAccount(ctx, sub) {
    const person = setup.people[sub];
    if (!person) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, name: person.name, [PNR]: person.personnummer };
      },
    };
  },
  // The broker's users consent to nothing per client: the login grants what was asked for.
  async loadExistingGrant(ctx) {
    const known = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (known) return ctx.oidc.provider.Grant.find(known);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
});

function formOf(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(body))));
    req.on('error', reject);
  });
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  if (req.method === 'GET') {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="en"><title>e-ID</title><form method="post" action="/interaction/${details.uid}">
<input name="person"><input name="acr"><button>Log in</button></form>`);
    return;
  }
  const form = await formOf(req);
  const result = setup.people[form.person]
    ? { login: { accountId: form.person, acr: form.acr } }
    : { error: 'access_denied', error_description: 'unknown person' };
  await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

const handle = provider.callback();
const server = http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => { res.statusCode = 500; res.end(String(err)); });
  } else {
    handle(req, res);
  }
});
server.listen(setup.port, '127.0.0.1', () => console.log(`listening ${issuer}`));
