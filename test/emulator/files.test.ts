 
/** Files API: upload, list, get, delete, content and the presigned download. */
import { FormData, request } from 'undici';
import type { Emulator } from '../../emulator/server';
import { makeInvoicePdf, SAMPLE_INVOICES } from '../../emulator/samples';
import type { ApiClient } from '../harness/api';
import { useEmulator } from '../harness/emulator';

let emulator: Emulator;
let api: ApiClient;

const running = useEmulator({ jobMs: 100, manualClock: true });
beforeAll(() => ({ emulator, api } = running));

describe('upload', () => {
	test('returns 201 FileV2 with a dfl- id, the name, type and purpose', async () => {
		const pdf = await makeInvoicePdf(SAMPLE_INVOICES[0]);
		const response = await api.upload(pdf, 'invoice.pdf', 'application/pdf', { purpose: 'extract', external_file_id: 'crm-7' });
		expect(response.status).toBe(201);
		expect(response.body).toMatchObject({
			name: 'invoice.pdf',
			file_type: 'pdf',
			purpose: 'extract',
			external_file_id: 'crm-7',
			project_id: emulator.projectId,
			expires_at: null,
		});
		expect(response.body.id).toMatch(/^dfl-[0-9a-f-]{36}$/);
	});

	test('missing file and purpose are FastAPI 422s naming the fields', async () => {
		const form = new FormData();
		form.append('external_file_id', 'x');
		const response = await api.call('POST', '/api/v1/beta/files', { form });
		expect(response.status).toBe(422);
		expect(response.body.detail.map((entry: { loc: string[] }) => entry.loc)).toEqual([
			['body', 'file'],
			['body', 'purpose'],
		]);
		const json = await api.post('/api/v1/beta/files', { file: 'x' });
		expect(json.status).toBe(422);
	});

	test('an unknown purpose is refused', async () => {
		const response = await api.upload(Buffer.from('hi'), 'a.txt', 'text/plain', { purpose: 'archive' });
		expect(response.status).toBe(422);
		expect(response.body.detail[0]).toMatchObject({ loc: ['body', 'purpose'], type: 'enum' });
	});

	test('over the upload limit: 413 with a detail, nothing stored', async () => {
		emulator.config({ maxUploadBytes: 64 * 1024 });
		try {
			const response = await api.upload(Buffer.alloc(200 * 1024, 65), 'big.txt', 'text/plain');
			expect(response.status).toBe(413);
			expect(response.body.detail).toMatch(/too large/i);
			const list = await api.get('/api/v1/beta/files');
			expect(list.body.items).toHaveLength(0);
		} finally {
			emulator.config({ maxUploadBytes: 512 * 1024 * 1024 });
		}
	});

	test('large uploads stream to disk and come back byte for byte', async () => {
		emulator.config({ memoryFileBytes: 32 * 1024 });
		try {
			const bytes = Buffer.alloc(300 * 1024);
			for (let index = 0; index < bytes.length; index++) bytes[index] = index % 251;
			const uploaded = await api.upload(bytes, 'blob.bin', 'application/octet-stream');
			expect(uploaded.status).toBe(201);
			const content = await api.get(`/api/v1/beta/files/${uploaded.body.id}/content`);
			expect(content.status).toBe(200);
			const download = await request(content.body.url);
			expect(download.statusCode).toBe(200);
			expect(Buffer.from(await download.body.arrayBuffer()).equals(bytes)).toBe(true);
		} finally {
			emulator.config({ memoryFileBytes: 8 * 1024 * 1024 });
		}
	});
});

describe('list, get, delete', () => {
	test('lists newest first with cursor pages and filters', async () => {
		const ids: string[] = [];
		for (let index = 0; index < 5; index++) {
			ids.push(await api.uploadId(Buffer.from(`file ${index}`), `f${index}.txt`, 'text/plain'));
		}
		const first = await api.get('/api/v1/beta/files', { query: { page_size: 2 } });
		expect(first.body.items.map((file: { id: string }) => file.id)).toEqual([ids[4], ids[3]]);
		expect(first.body.next_page_token).toEqual(expect.any(String));
		const second = await api.get('/api/v1/beta/files', { query: { page_size: 2, page_token: first.body.next_page_token } });
		expect(second.body.items.map((file: { id: string }) => file.id)).toEqual([ids[2], ids[1]]);
		const third = await api.get('/api/v1/beta/files', { query: { page_size: 2, page_token: second.body.next_page_token } });
		expect(third.body.items.map((file: { id: string }) => file.id)).toEqual([ids[0]]);
		expect(third.body.next_page_token).toBeNull();

		const byIds = await api.get('/api/v1/beta/files', { query: { file_ids: [ids[0], ids[2]] } });
		expect(byIds.body.items.map((file: { id: string }) => file.id)).toEqual([ids[2], ids[0]]);
		const byName = await api.get('/api/v1/beta/files', { query: { file_name: 'f3.txt', expand: 'download_url' } });
		expect(byName.body.items).toHaveLength(1);
		expect(byName.body.items[0].download_url.url).toContain('/__emulator/files/');

		const tooBig = await api.get('/api/v1/beta/files', { query: { page_size: 1001 } });
		expect(tooBig.status).toBe(422);
		expect(tooBig.body.detail[0]).toMatchObject({ loc: ['query', 'page_size'], type: 'less_than_equal' });
	});

	test('get with expand=download_url, delete gives 204 and then 404', async () => {
		const id = await api.uploadId(Buffer.from('Total: 5'), 'note.txt', 'text/plain');
		const plain = await api.get(`/api/v1/beta/files/${id}`);
		expect(plain.body.download_url).toBeNull();
		const expanded = await api.get(`/api/v1/beta/files/${id}`, { query: { expand: 'download_url' } });
		expect(expanded.body.download_url.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
		const removed = await api.delete(`/api/v1/beta/files/${id}`);
		expect(removed.status).toBe(204);
		const gone = await api.get(`/api/v1/beta/files/${id}`);
		expect(gone.status).toBe(404);
		expect(gone.body).toEqual({ detail: `File not found: ${id}` });
	});
});
