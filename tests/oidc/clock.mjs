// The provider keeps the tests' clock. When the tests run at another instant, they set
// OIDC_PROVIDER_CLOCK_OFFSET_MS to how far their clock is from the real one; the provider's
// Date is then that far off too, and goes on from there, so the tokens it signs and the
// client assertions it checks agree with the app's clock. Imported before the provider.

import FakeTimers from '@sinonjs/fake-timers';

const offset = Number(process.env.OIDC_PROVIDER_CLOCK_OFFSET_MS || 0);
if (!Number.isFinite(offset)) {
  console.error('OIDC_PROVIDER_CLOCK_OFFSET_MS must be a number of milliseconds');
  process.exit(2);
}
if (offset !== 0) {
  FakeTimers.install({ now: Date.now() + offset, toFake: ['Date'], shouldAdvanceTime: true, advanceTimeDelta: 5 });
}
