// Evaluates Firebreak's switches through the OpenFeature server SDK and its
// OFREP provider, and prints what it saw as one JSON object for the Go test
// (internal/web/ofrep/conformance_test.go) to check.
// Environment: FIREBREAK_URL, FLAGS_TOKEN (flags:read), WRITE_TOKEN (to flip).
import { OpenFeature } from '@openfeature/server-sdk';
import { OFREPProvider } from '@openfeature/ofrep-provider';

const base = process.env.FIREBREAK_URL;
const out = {};
const keep = (d) => ({ value: d.value, variant: d.variant, reason: d.reason, errorCode: d.errorCode });

async function flip(to) {
  const r = await fetch(`${base}/api/v1/flags/new-payment-sheet/flip`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${process.env.WRITE_TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ to, reason: 'OpenFeature conformance' }),
  });
  if (r.status !== 200) throw new Error(`flip to ${to}: ${r.status} ${await r.text()}`);
}

async function raw(body) {
  const r = await fetch(`${base}/ofrep/v1/evaluate/flags/new-payment-sheet`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${process.env.FLAGS_TOKEN}`, 'Content-Type': 'application/json' },
    body,
  });
  return { status: r.status, ...(await r.json()) };
}

await OpenFeature.setProviderAndWait(
  new OFREPProvider({ baseUrl: base, headers: { Authorization: `Bearer ${process.env.FLAGS_TOKEN}` } }),
);
const c = OpenFeature.getClient();
const oldIOS = { targetingKey: 'u1', platform: 'ios', appVersion: '5.1.0' };
const android = { targetingKey: 'u2', platform: 'android', appVersion: '6.0.0' };
out.oldIOS = keep(await c.getBooleanDetails('new-payment-sheet', true, oldIOS));
out.newIOS = keep(await c.getBooleanDetails('new-payment-sheet', false, { ...oldIOS, appVersion: '5.2.0' }));
out.theme = keep(await c.getStringDetails('checkout-theme', 'none', { targetingKey: 'u1', country: 'KR' }));
out.retry = keep(await c.getNumberDetails('retry-limit', -1, { targetingKey: 'u1' }));
out.notFound = keep(await c.getBooleanDetails('no-such-flag', true, android));
out.typeMismatch = keep(await c.getStringDetails('new-payment-sheet', 'fallback', android));
out.noTargetingKey = keep(await c.getBooleanDetails('staff-only', false, {}));
out.androidBefore = keep(await c.getBooleanDetails('new-payment-sheet', false, android));
await flip('off');
out.androidAfterFlip = keep(await c.getBooleanDetails('new-payment-sheet', true, android));
await flip('default');
out.androidFlippedBack = keep(await c.getBooleanDetails('new-payment-sheet', false, android));

await OpenFeature.setProviderAndWait(
  'bad-token',
  new OFREPProvider({ baseUrl: base, headers: { Authorization: 'Bearer fbt_not_a_token' } }),
);
out.badToken = keep(await OpenFeature.getClient('bad-token').getBooleanDetails('new-payment-sheet', false, android));
out.rawParseError = await raw('{"context":');
out.rawInvalidContext = await raw('{"context":"ios"}');

await OpenFeature.close();
console.log(JSON.stringify(out));
