/** File › Upload (binary or URL), Get, Get Many, Delete against the emulator. */
import { serveFiles } from '../harness/documents';
import { useEmulator } from '../harness/emulator';
import { binaryItem } from '../harness/n8n';

const rig = useEmulator({ jobMs: 120, resetBeforeEach: false });
const text = Buffer.from('Invoice Number: F-1\nTotal: 12.00\n');

describe('File', () => {
	test('Upload a binary with purpose and external ID; the emulator holds the same bytes', async () => {
		const { items, error } = await rig.run(
			{
				resource: 'file',
				operation: 'upload',
				inputType: 'binary',
				binaryPropertyName: 'doc',
				options: { purpose: 'parse', externalFileId: 'erp-42' },
			},
			[binaryItem(text, 'note.txt', 'text/plain', 'doc')],
		);
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({ name: 'note.txt', purpose: 'parse', external_file_id: 'erp-42' });
		expect(String(items[0].json.id)).toMatch(/^dfl-/);
		expect(items[0].binary?.doc.fileName).toBe('note.txt');
		const link = await rig.api.get(`/api/v1/beta/files/${items[0].json.id}/content`);
		const downloaded = Buffer.from(await (await fetch(link.body.url)).arrayBuffer());
		expect(downloaded.equals(text)).toBe(true);
	});

	test('Upload from a URL uses the Content-Disposition file name and sends no credentials', async () => {
		const files = await serveFiles({
			'/download': { body: text, type: 'text/plain; charset=utf-8', disposition: 'attachment; filename="report 7.txt"' },
		});
		try {
			const { items, error } = await rig.run({
				resource: 'file',
				operation: 'upload',
				inputType: 'url',
				url: `${files.url}/download?id=7`,
			});
			expect(error).toBeUndefined();
			expect(items[0].json).toMatchObject({ name: 'report 7.txt', purpose: 'extract' });
			expect(files.requests[0].headers.authorization).toBeUndefined();
		} finally {
			await files.close();
		}
	});

	test('Get (with download URL), Get Many by external ID and name, Delete', async () => {
		const stored = rig.emulator.addFile('ledger.txt', text, { externalFileId: 'ledger-1' });
		const got = await rig.run({ resource: 'file', operation: 'get', fileId: stored.id, includeDownloadUrl: true });
		expect(got.items[0].json).toMatchObject({ id: stored.id, name: 'ledger.txt', download_url: { url: expect.any(String) } });
		const plain = await rig.run({ resource: 'file', operation: 'get', fileId: stored.id });
		expect(plain.items[0].json.download_url ?? null).toBeNull();

		const byExternal = await rig.run({
			resource: 'file',
			operation: 'getAll',
			returnAll: true,
			filters: { externalFileId: 'ledger-1' },
		});
		expect(byExternal.items.map((item) => item.json.id)).toEqual([stored.id]);
		const byName = await rig.run({ resource: 'file', operation: 'getAll', returnAll: false, limit: 5, filters: { fileName: 'ledger.txt' } });
		expect(byName.items.map((item) => item.json.id)).toEqual([stored.id]);

		const deleted = await rig.run({ resource: 'file', operation: 'delete', fileId: stored.id });
		expect(deleted.items[0].json).toEqual({ id: stored.id, deleted: true });
		expect((await rig.api.get(`/api/v1/beta/files/${stored.id}`)).status).toBe(404);
	});

	test('an extract job ID given as File ID is caught with a pointer to the right ID', async () => {
		const { error } = await rig.run({ resource: 'file', operation: 'get', fileId: 'ext-123' });
		expect(error?.message).toBe('The "File ID" on item 0 is the ID of an extract job ("ext-123"), not of a file');
	});
});
