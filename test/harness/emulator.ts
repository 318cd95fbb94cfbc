/**
 * One LlamaCloud emulator per test file: started before the first test and closed after the last. Before each test
 * it is emptied (jobs, files, configurations, faults, request counts) and its configuration put back to how it
 * started, so no test sees what another left behind.
 */
import { startEmulator, type Emulator, type EmulatorOptions } from '../../emulator/server';
import { emulatorCredentials } from './n8n';

export type EmulatorCredentials = ReturnType<typeof emulatorCredentials>;

export interface StartedEmulator {
	emulator: Emulator;
	/** A LlamaCloud credential (custom base URL) pointing at it, with the file's API key. */
	credentials: EmulatorCredentials;
}

export function useEmulator(
	options: EmulatorOptions & { apiKey: string },
	started: (running: StartedEmulator) => void,
	{ resetBeforeEach = true }: { resetBeforeEach?: boolean } = {},
): void {
	let emulator: Emulator | undefined;
	let initialConfig: ReturnType<Emulator['config']> | undefined;

	beforeAll(async () => {
		emulator = await startEmulator(options);
		initialConfig = emulator.config();
		started({ emulator, credentials: emulatorCredentials(emulator.url, options.apiKey) });
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
}
