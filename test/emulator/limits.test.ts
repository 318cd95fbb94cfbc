/**
 * The emulator's rate limits (emulator/limits.ts): LlamaCloud's documented upload limit per project, the free
 * tier's 20 requests a minute, Retry-After, and the two switches for what the docs leave open. Time is a
 * ManualClock; the HTTP answers are checked against the OpenAPI subset by the ApiClient.
 */
import { ManualClock } from '../../emulator/clock';
import { DOCUMENTED_RATE_LIMITS, RateLimiter, UPLOAD_ROUTE } from '../../emulator/limits';
import type { Emulator } from '../../emulator/server';
import type { ApiClient } from '../harness/api';
import { startTestEmulator as startHarnessEmulator, type TestEmulatorOptions } from '../harness/emulator';

const startTestEmulator = async (options: TestEmulatorOptions = {}) =>
	await startHarnessEmulator({ jobMs: 100, manualClock: true, ...options });

const LIST = 'GET /api/v2/extract';

describe('RateLimiter', () => {
	let clock: ManualClock;
	let limiter: RateLimiter;
	beforeEach(() => {
		clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
		limiter = new RateLimiter(clock);
	});

	test('off by default: nothing is refused', () => {
		for (let index = 0; index < 500; index++) expect(limiter.admit(UPLOAD_ROUTE, 'p')).toBeUndefined();
	});

	test('uploads: 50 per 5 s per project, sliding; other routes and other projects are not counted', async () => {
		limiter.configure(DOCUMENTED_RATE_LIMITS);
		for (let index = 0; index < 50; index++) expect(limiter.admit(UPLOAD_ROUTE, 'p1')).toBeUndefined();
		await clock.advance(1_000);
		expect(limiter.admit(UPLOAD_ROUTE, 'p1')).toEqual({ limit: 'uploads', retryAfterMs: 4_000, headers: { 'retry-after': '4' } });
		expect(limiter.admit(LIST, 'p1')).toBeUndefined();
		expect(limiter.admit(UPLOAD_ROUTE, 'p2')).toBeUndefined();
		await clock.advance(3_999);
		expect(limiter.admit(UPLOAD_ROUTE, 'p1')?.retryAfterMs).toBe(1);
		await clock.advance(1);
		expect(limiter.admit(UPLOAD_ROUTE, 'p1')).toBeUndefined();
		expect(limiter.counts).toEqual({ admitted: 53, refused: 2, byLimit: { uploads: 2, 'free-tier': 0 } });
	});

	test('free plan: 20 requests a minute of any route per organization', async () => {
		limiter.configure({ plan: 'free' });
		for (let index = 0; index < 20; index++) expect(limiter.admit(index % 2 ? LIST : UPLOAD_ROUTE, `p${index}`)).toBeUndefined();
		await clock.advance(10_000);
		expect(limiter.admit(LIST, 'p')).toEqual({ limit: 'free-tier', retryAfterMs: 50_000, headers: { 'retry-after': '50' } });
		await clock.advance(50_000);
		expect(limiter.admit(LIST, 'p')).toBeUndefined();
	});

	test('without Retry-After the 429 has no header; refused requests can be made to count toward the window', async () => {
		limiter.configure({ plan: 'free', retryAfter: false, countRefused: true });
		for (let index = 0; index < 20; index++) limiter.admit(LIST, 'p');
		// Items that retry, four every 10 s, keep the window full: each refusal is counted for a minute.
		for (let second = 10; second <= 180; second += 10) {
			await clock.advance(10_000);
			for (let retry = 0; retry < 4; retry++) {
				expect(limiter.admit(LIST, 'p')).toEqual({ limit: 'free-tier', retryAfterMs: expect.any(Number), headers: {} });
			}
		}
		// Silence for a full window lets requests through again.
		await clock.advance(60_000);
		expect(limiter.admit(LIST, 'p')).toBeUndefined();

		limiter.configure({ countRefused: false });
		for (let index = 0; index < 20; index++) limiter.admit(LIST, 'p');
		for (let second = 10; second < 60; second += 10) {
			await clock.advance(10_000);
			for (let retry = 0; retry < 4; retry++) expect(limiter.admit(LIST, 'p')).toBeDefined();
		}
		// Uncounted, the same retries leave the window to empty on time.
		await clock.advance(10_000);
		expect(limiter.admit(LIST, 'p')).toBeUndefined();
	});

	test('bad settings are refused', () => {
		expect(() => limiter.configure({ uploads: { requests: 0, windowMs: 5_000 } })).toThrow('requests >= 1');
		expect(() => limiter.configure({ plan: 'gold' as 'free' })).toThrow('plan');
	});
});

describe('rate limits over HTTP', () => {
	let emulator: Emulator;
	let api: ApiClient;
	afterEach(async () => await emulator.close());

	test('a refused upload is a 429 with Retry-After and the documented body, before any handler runs', async () => {
		({ emulator, api } = await startTestEmulator({ rateLimits: { uploads: { requests: 2, windowMs: 5_000 } } }));
		const pdf = Buffer.from('%PDF-1.4 tiny');
		expect((await api.upload(pdf, 'a.pdf', 'application/pdf')).status).toBe(201);
		expect((await api.upload(pdf, 'b.pdf', 'application/pdf')).status).toBe(201);
		const refused = await api.upload(pdf, 'c.pdf', 'application/pdf');
		expect(refused.status).toBe(429);
		expect(refused.headers['retry-after']).toBe('5');
		expect(refused.body).toEqual({ detail: 'Rate limit exceeded. Please retry later.' });
		expect((await api.get('/api/v1/beta/files')).status).toBe(200);
		expect(emulator.stats().byStatus['429']).toBe(1);
		// Nothing was stored for the refused upload.
		expect((await api.get('/api/v1/beta/files')).body.items).toHaveLength(2);
	});

	test('the control API reads and changes the limits; reset goes back to the limits the emulator started with', async () => {
		({ emulator, api } = await startTestEmulator());
		const patched = await api.call('PATCH', '/__emulator/limits', { json: { plan: 'free', retryAfter: false } });
		expect(patched.body.settings).toMatchObject({ plan: 'free', retryAfter: false, uploads: false });
		for (let index = 0; index < 20; index++) expect((await api.get('/api/v2/extract')).status).toBe(200);
		const refused = await api.get('/api/v2/extract');
		expect(refused.status).toBe(429);
		expect(refused.headers['retry-after']).toBeUndefined();
		expect((await api.call('GET', '/__emulator/limits')).body.counts).toMatchObject({ admitted: 20, refused: 1 });
		expect((await api.call('PATCH', '/__emulator/limits', { json: { plan: 'gold' } })).status).toBe(400);
		await emulator.reset();
		expect(emulator.limits.settings.plan).toBe('paid');
		expect((await api.get('/api/v2/extract')).status).toBe(200);
	});
});
