/** The trigger's items carry the job's usage and this poll's running totals, with no request per job. */
import type { IDataObject } from 'n8n-workflow';

import { seedInPast, useEmulator } from '../harness/emulator';
import { TriggerRig, triggerNode } from '../harness/trigger';

const running = useEmulator();

test('every trigger item carries usage (pages from the list) and run_usage, without a GET per job', async () => {
	const trigger = new TriggerRig(triggerNode({ event: 'completed' }), running.credentials);
	const emulator = running.emulator;
	const activatedAt = Date.now();
	expect(await trigger.poll()).toBeNull();
	await seedInPast(emulator, [
		{ created_at: activatedAt + 1, pages: 2 },
		{ created_at: activatedAt + 2, pages: 3 },
	]);
	emulator.resetStats();
	const items = (await trigger.poll())!;
	expect(emulator.stats().byRoute['GET /api/v2/extract/{job_id}'] ?? 0).toBe(0);
	const meta = items.map((item) => item._llamaextract as IDataObject);
	expect(meta.map((entry) => (entry.usage as IDataObject).num_pages_billed).sort()).toEqual([2, 3]);
	expect((meta[1].run_usage as IDataObject).num_pages_billed).toBe(5);
	expect((meta[1].run_usage as IDataObject).jobs).toBe(2);
});
