// Evaluates Firebreak's switches through the OpenFeature web SDK and its
// OFREP web provider (bulk evaluation with ETag polling), and prints what
// it saw as one JSON object for the Go test to check.
// Environment: FIREBREAK_URL, FLAGS_TOKEN (flags:read), WRITE_TOKEN (to flip).
import { OpenFeature, ProviderEvents } from '@openfeature/web-sdk';
import { OFREPWebProvider } from '@openfeature/ofrep-web-provider';

const base = process.env.FIREBREAK_URL;
const out = {};
const keep = (d) => ({ value: d.value, variant: d.variant, reason: d.reason, errorCode: d.errorCode });
const provider = (token) =>
  new OFREPWebProvider({
    baseUrl: base,
    headers: [['X-API-Key', token]], // the header most browser apps use
    pollInterval: 100,
    cacheMode: 'disabled',
    disableVisibilityRefresh: true,
  });

async function flip(to) {
  const r = await fetch(`${base}/api/v1/flags/new-payment-sheet/flip`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${process.env.WRITE_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ to, reason: 'OpenFeature web conformance' }),
  });
  if (r.status !== 200) throw new Error(`flip to ${to}: ${r.status} ${await r.text()}`);
}

// waitFor polls the client until the switch serves want, or 5 s pass.
async function waitFor(c, want) {
  const start = Date.now();
  while (Date.now() - start < 5000) {
    if (c.getBooleanValue('new-payment-sheet', !want) === want) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

await OpenFeature.setContext({ targetingKey: 'u1', platform: 'ios', appVersion: '5.1.0', country: 'KR' });
await OpenFeature.setProviderAndWait(provider(process.env.FLAGS_TOKEN));
const c = OpenFeature.getClient();
out.oldIOS = keep(c.getBooleanDetails('new-payment-sheet', true));
out.theme = keep(c.getStringDetails('checkout-theme', 'none'));
out.retry = keep(c.getNumberDetails('retry-limit', -1));
out.notFound = keep(c.getBooleanDetails('no-such-flag', true));
out.typeMismatch = keep(c.getStringDetails('new-payment-sheet', 'fallback'));
await OpenFeature.setContext({ targetingKey: 'u2', platform: 'android', appVersion: '6.0.0' });
out.androidBefore = keep(c.getBooleanDetails('new-payment-sheet', false));
let changed = 0;
c.addHandler(ProviderEvents.ConfigurationChanged, () => changed++);
await flip('off');
out.flipSeen = await waitFor(c, false);
out.androidAfterFlip = keep(c.getBooleanDetails('new-payment-sheet', true));
out.changeEvents = changed;
await flip('default');
out.flipBackSeen = await waitFor(c, true);

try {
  await OpenFeature.setProviderAndWait('bad-token', provider('fbt_not_a_token'));
  out.badToken = keep(OpenFeature.getClient('bad-token').getBooleanDetails('new-payment-sheet', false));
} catch (e) {
  out.badToken = { error: String(e) };
}
out.badTokenDetails = keep(OpenFeature.getClient('bad-token').getBooleanDetails('new-payment-sheet', false));

await OpenFeature.close();
console.log(JSON.stringify(out));
