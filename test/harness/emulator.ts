/* eslint-disable @n8n/community-nodes/no-restricted-globals */
/**
 * One LlamaCloud emulator per test file (`useEmulator`), or one started on the spot (`startTestEmulator`): on the
 * real clock or on a ManualClock, with the one test API key, a credential pointing the node at it, a raw API
 * client, and helpers to seed jobs.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INodeExecutionData } from 'n8n-workflow';

import { ManualClock } from '../../emulator/clock';
import type { SeedJobSpec } from '../../emulator/extractJobs';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/server';
import { ApiClient, manualClockOf } from './api';
import type { RunResult } from './n8n';

/**
 * The API key every test emulator accepts and every test credential carries. It looks like a real key, and the
 * reliability suites treat any appearance of it in output, errors or logs as a leak.
 */
// eslint-disable-next-line @n8n/community-nodes/no-hardcoded-secrets -- a test-only key, accepted only by the emulator
export const API_KEY = 'llx-SENTINEL-5e9c1d7a44b2f80e63c1aa9d0b7e2f41';

/** Credential data pointing the node at an emulator (custom base URL). */
export function emulatorCredentials(
	baseUrl: string,
	apiKey: string = API_KEY,
	extra: ICredentialDataDecryptedObject = {},
): Record<string, ICredentialDataDecryptedObject> {
	return { llamaCloudApi: { apiKey, region: 'custom', baseUrl, projectId: '', organizationId: '', ...extra } };
}

export type EmulatorCredentials = ReturnType<typeof emulatorCredentials>;

export interface TestEmulatorOptions extends EmulatorOptions {
	/** Time passes only through `clock.advance` / `clock.next` (or `api.waitForJob`); default the real clock. */
	manualClock?: boolean;
}

export interface TestEmulator {
	emulator: Emulator;
	/** A LlamaCloud credential (custom base URL) pointing at it, with API_KEY. */
	credentials: EmulatorCredentials;
	/** Raw API calls with API_KEY, spec-checked. */
	api: ApiClient;
	/** The emulator's ManualClock (throws when it runs on the real clock). */
	clock: ManualClock;
	/** Runs Start → LlamaExtract with these parameters against it. */
	run(
		parameters: IDataObject,
		input?: INodeExecutionData[],
		extra?: { onError?: 'continueRegularOutput' | 'continueErrorOutput' },
	): Promise<RunResult>;
	/** Requests it counted for `METHOD /template` since the last `emulator.resetStats()` / reset. */
	count(route: string): number;
}

function testEmulatorOf(emulator: () => Emulator): TestEmulator {
	const handle: TestEmulator = {
		get emulator() {
			return emulator();
		},
		get credentials() {
			return emulatorCredentials(emulator().url);
		},
		get api() {
			return new ApiClient(emulator(), API_KEY);
		},
		get clock() {
			return manualClockOf(emulator());
		},
		async run(parameters, input, extra = {}) {
			// Loaded on first use: files that only talk to the emulator skip n8n-core's two thousand modules.
			const { runNode } = await import('./n8n');
			return await runNode({ parameters, credentials: handle.credentials, input, onError: extra.onError });
		},
		count(route) {
			return emulator().stats().byRoute[route] ?? 0;
		},
	};
	return handle;
}

/** Starts an emulator now (API_KEY unless `apiKey` says otherwise); the caller closes it. */
export async function startTestEmulator({ manualClock, ...options }: TestEmulatorOptions = {}): Promise<TestEmulator> {
	const clock = manualClock ? new ManualClock() : options.clock;
	const emulator = await startEmulator({ apiKey: API_KEY, ...options, ...(clock ? { clock } : {}) });
	return testEmulatorOf(() => emulator);
}

/**
 * One emulator for the test file: started before the first test, closed after the last. Unless `resetBeforeEach`
 * is false, it is emptied before each test (jobs, files, configurations, faults, request counts) and its
 * configuration put back to how it started, so no test sees what another left behind.
 */
export function useEmulator({
	resetBeforeEach = true,
	...options
}: TestEmulatorOptions & { resetBeforeEach?: boolean } = {}): TestEmulator {
	let emulator: Emulator | undefined;
	let initialConfig: ReturnType<Emulator['config']> | undefined;

	beforeAll(async () => {
		emulator = (await startTestEmulator(options)).emulator;
		initialConfig = emulator.config();
	});

	afterAll(async () => {
		await emulator?.close();
	});

	if (resetBeforeEach) {
		beforeEach(async () => {
			await emulator!.reset();
			emulator!.config(initialConfig);
		});
	}

	return testEmulatorOf(() => {
		if (!emulator) throw new Error('emulator not started (use it inside a test or hook)');
		return emulator;
	});
}

/** Long enough never to pass during a test: held jobs finish when the test calls `emulator.finishNow`. */
export const HELD_MS = 10 * 60_000;

/**
 * Seeds jobs once their created_at is in the past. Tests place new jobs a few ms after activation; on a fast machine
 * that instant can still be ahead of the clock, and the emulator would hold such a job RUNNING until then.
 */
export async function seedInPast(emulator: Emulator, specs: SeedJobSpec[]) {
	const latest = Math.max(...specs.map((spec) => (typeof spec.created_at === 'number' ? spec.created_at : 0)));
	const ahead = latest - Date.now() + 1;
	if (ahead > 0) await new Promise((resolve) => setTimeout(resolve, ahead));
	return emulator.seedJobs(specs);
}
