/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/no-dangerous-functions, @n8n/community-nodes/no-restricted-imports */
/** Auth and error bodies, the control API (seeding, stats, config), fault injection and the CLI. */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { request } from 'undici';
import type { Emulator } from '../../emulator/server';
import { INVOICE_SCHEMA, makeTextPdf } from '../../emulator/samples';
import type { ManualClock } from '../../emulator/clock';
import { assertComponent, type ApiClient, type Json } from '../harness/api';
import { API_KEY, startTestEmulator, useEmulator } from '../harness/emulator';

let emulator: Emulator;
let api: ApiClient;
let clock: ManualClock;
let fileId: string;
let smallPdf: Buffer;

const running = useEmulator({ jobMs: 60, apiKey: [API_KEY, 'llx-second-key'], manualClock: true });

beforeAll(async () => {
	({ emulator, api, clock } = running);
	smallPdf = await makeTextPdf([['Vendor: Tiny Co', 'Total: $12.00']]);
});

beforeEach(async () => {
	fileId = await api.uploadId(smallPdf, 'tiny.pdf');
});

const control = async (method: string, route: string, body?: unknown) => {
	const response = await request(`${emulator.url}/__emulator${route}`, {
		method: method as 'GET',
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return { status: response.statusCode, body: (await response.body.json()) as Json };
};

describe('auth and errors', () => {
	test('missing and wrong keys are 401 with the FastAPI bodies; every configured key works', async () => {
		const missing = await api.get('/api/v2/extract', { authorization: null });
		expect(missing.status).toBe(401);
		expect(missing.body).toEqual({ detail: 'Not authenticated' });
		expect(missing.headers['www-authenticate']).toBe('Bearer');
		const wrong = await api.get('/api/v2/extract', { authorization: 'Bearer llx-nope' });
		expect(wrong.status).toBe(401);
		expect(wrong.body).toEqual({ detail: 'Invalid authentication token' });
		const basic = await api.get('/api/v1/beta/files', { authorization: `Basic ${API_KEY}` });
		expect(basic.body).toEqual({ detail: 'Not authenticated' });
		const second = await api.get('/api/v2/extract', { authorization: 'Bearer llx-second-key' });
		expect(second.status).toBe(200);
	});

	test('unknown route 404 {"detail":"Not Found"}, wrong method 405', async () => {
		const unknown = await api.get('/api/v2/nothing-here', { authorization: null });
		expect(unknown.status).toBe(404);
		expect(unknown.body).toEqual({ detail: 'Not Found' });
		const method = await api.call('PATCH', '/api/v2/extract');
		expect(method.status).toBe(405);
		expect(method.body).toEqual({ detail: 'Method Not Allowed' });
	});

	test('project_id and organization_id must be UUIDs', async () => {
		const bad = await api.get('/api/v2/extract', { query: { project_id: 'prj-123', organization_id: 'org' } });
		expect(bad.status).toBe(422);
		expect(bad.body.detail.map((entry: { loc: string[]; type: string }) => [entry.loc, entry.type])).toEqual([
			[['query', 'project_id'], 'uuid_parsing'],
			[['query', 'organization_id'], 'uuid_parsing'],
		]);
		const good = await api.get('/api/v1/beta/files', { query: { project_id: emulator.projectId } });
		expect(good.status).toBe(200);
	});
});

describe('seeding jobs', () => {
	test('equal timestamps page newest-first exactly once, in a stable order', async () => {
		const at = '2026-01-01T10:00:00.000Z';
		const seeded = emulator.seedJobs(Array.from({ length: 5 }, (_, index) => ({ created_at: at, extract_result: { n: index } })));
		for (const job of seeded) assertComponent('ExtractV2Job', job);
		expect(new Set(seeded.map((job) => job.created_at))).toEqual(new Set([at]));
		const seen: string[] = [];
		let token: string | undefined;
		do {
			const page = await api.get('/api/v2/extract', { query: token ? { page_size: 2, page_token: token } : { page_size: 2 } });
			seen.push(...page.body.items.map((item: { id: string }) => item.id));
			token = page.body.next_page_token ?? undefined;
		} while (token);
		expect(seen).toEqual(seeded.map((job) => job.id).reverse());
	});

	test('out-of-order completion: an older job finishes after a newer one, updated_at moves', async () => {
		const now = clock.now();
		const [older, newer] = emulator.seedJobs([
			{ created_at: now - 10_000, complete_after_ms: 150, extract_result: { which: 'older' } },
			{ created_at: now - 5_000, completed_at: now - 4_000, status: 'FAILED', error_message: 'boom' },
		]);
		expect(older.status).toBe('RUNNING');
		expect(newer).toMatchObject({ status: 'FAILED', error_message: 'boom', updated_at: new Date(now - 4_000).toISOString() });
		const done = await emulator.waitForJob(older.id);
		expect(done.status).toBe('COMPLETED');
		expect(done.completedAtMs).toBe(now + 150);
		const fetched = await api.get(`/api/v2/extract/${older.id}`);
		expect(fetched.body.extract_result).toEqual({ which: 'older' });
		expect(Date.parse(fetched.body.updated_at)).toBe(done.completedAtMs);
		const completedOnly = await api.get('/api/v2/extract', { query: { status: 'COMPLETED' } });
		expect(completedOnly.body.items.map((item: { id: string }) => item.id)).toEqual([older.id]);
	});

	test('over HTTP: /__emulator/jobs/seed and /__emulator/jobs', async () => {
		const seeded = await control('POST', '/jobs/seed', {
			jobs: [{ status: 'CANCELLED', configuration: { data_schema: INVOICE_SCHEMA }, file_input: fileId }],
		});
		expect(seeded.status).toBe(200);
		expect(seeded.body.jobs[0]).toMatchObject({ status: 'CANCELLED', file_input: fileId });
		const dump = await control('GET', '/jobs');
		expect(dump.body.jobs).toEqual([
			expect.objectContaining({ id: seeded.body.jobs[0].id, kind: 'extract', seeded: true, status: 'CANCELLED' }),
		]);
		const bad = await control('POST', '/jobs/seed', { jobs: [{ status: 'RUNNING' }] });
		expect(bad.status).toBe(400);
	});

	test('/__emulator/jobs/finish ends held seeded and parse jobs on cue, with their seeded outcome', async () => {
		emulator.config({ jobMs: 10 * 60_000 });
		const parse = await api.post('/api/v2/parse', { file_id: fileId, tier: 'fast', version: 'latest' });
		const seeded = await control('POST', '/jobs/seed', {
			jobs: [
				{ complete_after_ms: 600_000, status: 'FAILED', error_message: 'held then failed' },
				{ complete_after_ms: 600_000, extract_result: { total: 3 } },
			],
		});
		const [failing, completing] = seeded.body.jobs as Array<{ id: string; status: string }>;
		expect([failing.status, completing.status]).toEqual(['RUNNING', 'RUNNING']);

		const finished = await control('POST', '/jobs/finish', { ids: [completing.id, failing.id, parse.body.id] });
		expect(finished.status).toBe(200);
		expect((await api.get(`/api/v2/extract/${completing.id}`)).body).toMatchObject({
			status: 'COMPLETED',
			extract_result: { total: 3 },
		});
		expect((await api.get(`/api/v2/extract/${failing.id}`)).body).toMatchObject({
			status: 'FAILED',
			error_message: 'held then failed',
		});
		await emulator.waitForJob(parse.body.id, { statuses: ['COMPLETED'], timeoutMs: 5_000 });

		// A job that is not held (already final, or unknown) is refused, and nothing else is finished.
		const again = await control('POST', '/jobs/finish', { ids: [completing.id] });
		expect(again.status).toBe(400);
		expect(again.body.detail).toContain(completing.id);
	});
});

describe('stats and config', () => {
	test('requests are counted per METHOD and route template; control calls are not', async () => {
		emulator.resetStats();
		await api.get('/api/v2/extract');
		await api.get('/api/v2/extract', { query: { job_ids: ['a', 'b'] } });
		await api.get('/api/v2/extract/ext-x');
		await api.get('/api/v2/unknown');
		await control('GET', '/stats');
		const stats = emulator.stats();
		expect(stats.total).toBe(4);
		expect(stats.byRoute).toEqual({
			'GET /api/v2/extract': 2,
			'GET /api/v2/extract/{job_id}': 1,
			'GET (unmatched)': 1,
		});
		expect(stats.byStatus).toEqual({ '200': 2, '404': 2 });
		expect((await control('GET', '/stats')).body.total).toBe(4);
	});

	test('config over HTTP changes jobMs and the cap', async () => {
		const changed = await control('PATCH', '/config', { jobMs: 42, maxConcurrentJobs: 3 });
		expect(changed.body).toMatchObject({ jobMs: 42, maxConcurrentJobs: 3 });
		expect(emulator.config()).toMatchObject({ jobMs: 42, maxConcurrentJobs: 3 });
		expect((await control('PATCH', '/config', { jobMs: -1 })).status).toBe(400);
	});

	test('jobMsFor overrides the job time per job', async () => {
		const custom = await startTestEmulator({
			jobMs: 1000,
			jobMsFor: (job) => (job.fileName === 'fast.pdf' ? 30 : undefined),
			manualClock: true,
		});
		try {
			const fast = await custom.api.uploadId(smallPdf, 'fast.pdf');
			const id = await custom.api.createJob(fast, { data_schema: INVOICE_SCHEMA });
			const done = await custom.emulator.waitForJob(id, { timeoutMs: 900 });
			expect(done.status).toBe('COMPLETED');
		} finally {
			await custom.emulator.close();
		}
	});
});

describe('faults', () => {
	const create = () => api.post('/api/v2/extract', { file_input: fileId, configuration: { data_schema: INVOICE_SCHEMA } });

	test('429 with retry-after and retry-after-ms, a set number of times', async () => {
		emulator.faults.addRule({
			route: 'POST /api/v2/extract',
			times: 2,
			action: { type: 'status', status: 429, retryAfterSeconds: 1, retryAfterMs: 250 },
		});
		const first = await create();
		expect(first.status).toBe(429);
		expect(first.headers['retry-after']).toBe('1');
		expect(first.headers['retry-after-ms']).toBe('250');
		expect(first.body.detail).toMatch(/rate limit/i);
		expect((await create()).status).toBe(429);
		expect((await create()).status).toBe(200);
		expect(emulator.jobs()).toHaveLength(1);
		expect(emulator.faults.snapshot().rules[0]).toMatchObject({ matched: 3, fired: 2 });
	});

	test('a 5xx burst after the first request, over HTTP', async () => {
		await control('PUT', '/faults', { rules: [{ route: 'GET /api/v2/extract/{job_id}', after: 1, times: 3, action: { type: 'status', status: 503 } }] });
		const id = (await create()).body.id;
		const statuses = [];
		for (let index = 0; index < 5; index++) statuses.push((await api.get(`/api/v2/extract/${id}`)).status);
		expect(statuses).toEqual([200, 503, 503, 503, 200]);
		await control('DELETE', '/faults');
		expect((await control('GET', '/faults')).body.rules).toEqual([]);
	});

	test('reset before processing: no job; reset after processing: the job exists but the client never hears', async () => {
		emulator.faults.addRule({ route: 'POST /api/v2/extract', times: 1, action: { type: 'reset', when: 'before' } });
		await expect(create()).rejects.toThrow();
		expect(emulator.jobs()).toHaveLength(0);
		emulator.faults.addRule({ route: 'POST /api/v2/extract', times: 1, action: { type: 'reset', when: 'after' } });
		await expect(create()).rejects.toThrow();
		expect(emulator.jobs()).toHaveLength(1);
		expect((await create()).status).toBe(200);
		expect(emulator.jobs()).toHaveLength(2);
	});

	test('slow responses', async () => {
		emulator.faults.addRule({ route: 'GET *', action: { type: 'delay', ms: 150 } });
		let answered = false;
		const pending = api.get('/api/v2/extract').then((response) => {
			answered = true;
			return response;
		});
		await clock.advance(149);
		expect(answered).toBe(false);
		await clock.advance(1);
		expect((await pending).status).toBe(200);
	});

	test('probabilistic faults are reproducible with a seed', async () => {
		const run = async () => {
			emulator.faults.configure({ seed: 7, rules: [{ route: '/api/v2/extract', probability: 0.3, action: { type: 'status', status: 500 } }] });
			const statuses: number[] = [];
			for (let index = 0; index < 40; index++) statuses.push((await api.get('/api/v2/extract')).status);
			return statuses;
		};
		const first = await run();
		const failures = first.filter((status) => status === 500).length;
		expect(failures).toBeGreaterThan(4);
		expect(failures).toBeLessThan(24);
		expect(await run()).toEqual(first);
	});

	test('jobs that FAIL or stall', async () => {
		emulator.faults.addJobRule({ outcome: 'fail', times: 1, errorMessage: 'Injected: model overloaded' });
		emulator.faults.addJobRule({ outcome: 'stall', times: 1 });
		const failing = (await create()).body.id;
		const stalling = (await create()).body.id;
		const failed = await api.waitForJob(failing);
		expect(failed).toMatchObject({ status: 'FAILED', error_message: 'Injected: model overloaded' });
		await clock.advance(60 * 60_000);
		expect((await api.get(`/api/v2/extract/${stalling}`)).body.status).toBe('RUNNING');
		expect((await api.post(`/api/v2/extract/${stalling}/cancel`)).body.status).toBe('CANCELLED');
	});
});

describe('CLI', () => {
	test('prints the URL and key, serves, and stops on SIGTERM', async () => {
		const tsx = path.resolve(__dirname, '../../node_modules/.bin/tsx');
		const child = spawn(tsx, ['emulator/main.ts', '--port', '0', '--job-ms', '50', '--api-key', 'llx-cli-key'], {
			cwd: path.resolve(__dirname, '../..'),
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		try {
			const line = await new Promise<string>((resolve, reject) => {
				let output = '';
				child.stdout.on('data', (chunk: Buffer) => {
					output += chunk.toString();
					const match = /LlamaCloud emulator listening on (http:\/\/127\.0\.0\.1:\d+) \(api key: llx-cli-key\)/.exec(output);
					if (match) resolve(match[1]);
				});
				child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
				child.on('exit', () => reject(new Error(`exited early: ${output}`)));
			});
			const response = await request(`${line}/api/v2/extract`, { headers: { authorization: 'Bearer llx-cli-key' } });
			expect(response.statusCode).toBe(200);
			await response.body.dump();
			const exitCode = await new Promise<number | null>((resolve) => {
				child.on('exit', (code) => resolve(code));
				child.kill('SIGTERM');
			});
			expect(exitCode).toBe(0);
		} finally {
			if (child.exitCode === null) child.kill('SIGKILL');
		}
	});
});
