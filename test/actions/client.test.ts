/**
 * LlamaCloudClient inside a real n8n-core execution against the emulator: the credential is read once per run,
 * `exchange` hands accepted error statuses back instead of throwing, and the one job_ids pager splits and pages.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { Emulator } from '../../emulator/server';
import { LlamaCloudClient } from '../../nodes/shared/client';
import { ExtractV2Job, SchemaValidateResponse } from '../../nodes/shared/contract';
import { useEmulator, type EmulatorCredentials } from '../harness/emulator';
import { inExecution } from '../harness/n8n';

let emulator: Emulator;
let credentials: EmulatorCredentials;
const running = useEmulator({ jobMs: 60_000 });
beforeAll(() => ({ emulator, credentials } = running));

/**
 * Counts the credential reads of an execution context (the real getCredentials still answers). The client hands
 * what it read to httpRequestWithAuthentication, which would otherwise read it again for every request it sends.
 */
function countCredentialReads(ctx: IExecuteFunctions): { reads: number } {
	const counter = { reads: 0 };
	const read = ctx.getCredentials.bind(ctx);
	ctx.getCredentials = (async (...args: Parameters<IExecuteFunctions['getCredentials']>) => {
		counter.reads++;
		return await read(...args);
	}) as IExecuteFunctions['getCredentials'];
	return counter;
}

describe('LlamaCloudClient', () => {
	test('reads the credential once for every request of the run, whatever the item', async () => {
		const jobs = emulator.seedJobs([{}, {}, {}]);
		emulator.resetStats();
		const { value, error } = await inExecution(credentials, async (ctx) => {
			const counter = countCredentialReads(ctx);
			const client = LlamaCloudClient.open(ctx);
			const fetched = await Promise.all(jobs.map(async (job, itemIndex) => await client.getJob(job.id, { itemIndex })));
			const listed = await client.list({ method: 'GET', path: '/api/v2/extract' }, ExtractV2Job);
			return { ids: fetched.map((job) => job.id), listed: listed.length, reads: counter.reads };
		});
		expect(error).toBeUndefined();
		expect(value!.ids).toEqual(jobs.map((job) => job.id));
		expect(value!.listed).toBeGreaterThanOrEqual(3);
		const sent = Object.values(emulator.stats().byRoute).reduce((sum, count) => sum + (count ?? 0), 0);
		expect(sent).toBe(4);
		// One read by the client, shared by the three items (asked at the same time), the list and n8n's credential layer.
		expect(value!.reads).toBe(1);
	});

	test('exchange returns an accepted error status with its body, and throws a NodeApiError for any other', async () => {
		const call = {
			method: 'POST' as const,
			path: '/api/v2/extract/schema/validation',
			body: { data_schema: { type: 'object', properties: { total: { type: 'no-such-type' } } } },
			retry: 'safe' as const,
		};
		const { value, error } = await inExecution(credentials, async (ctx) => {
			const client = LlamaCloudClient.open(ctx);
			const accepted = await client.exchange(call, SchemaValidateResponse, { acceptStatuses: [400, 422] });
			const thrown = await client.exchange(call, SchemaValidateResponse).then(
				() => undefined,
				(reason: unknown) => reason as { name: string; httpCode?: string },
			);
			return { accepted, thrown };
		});
		expect(error).toBeUndefined();
		expect(value!.accepted.ok).toBe(false);
		expect([400, 422]).toContain(value!.accepted.statusCode);
		expect(value!.accepted.body).toEqual(expect.objectContaining({ detail: expect.anything() }));
		expect(value!.thrown?.name).toBe('NodeApiError');
		expect(value!.thrown?.httpCode).toBe(String(value!.accepted.statusCode));
	});

	test('listJobsByIds sends idsPerRequest IDs a request and returns every job once', async () => {
		const jobs = emulator.seedJobs(Array.from({ length: 7 }, () => ({})));
		emulator.resetStats();
		const { value, error } = await inExecution(credentials, async (ctx) => {
			const pages: number[] = [];
			const listed = await LlamaCloudClient.open(ctx).listJobsByIds(
				jobs.map((job) => job.id),
				{ idsPerRequest: 3, onPage: (page) => pages.push(page.length) },
			);
			return { ids: listed.map((job) => job.id), pages };
		});
		expect(error).toBeUndefined();
		expect([...value!.ids].sort()).toEqual(jobs.map((job) => job.id).sort());
		expect(value!.pages).toEqual([3, 3, 1]);
		expect(emulator.stats().byRoute['GET /api/v2/extract']).toBe(3);
	});
});
