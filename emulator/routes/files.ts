/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/** Files: `/api/v1/beta/files` (upload, list, get, delete, content) and the presigned download. */
import { createReadStream, promises as fs } from 'node:fs';
import { extname } from 'node:path';
import { FILE_PURPOSES, type FileV2 } from '../../nodes/shared/contract';
import { describeChoices, json, noContent, notFound, unprocessable, validationEntry, type Reply } from '../http';
import type { RequestContext, Router } from '../router';
import { iso, newestFirst, newId, paginate, type EmulatorState, type FileRecord } from '../state';
import { receiveUpload } from '../uploads';

const MIME_TO_TYPE: Record<string, string> = {
	'application/pdf': 'pdf',
	'text/plain': 'txt',
	'text/markdown': 'md',
	'text/csv': 'csv',
	'application/json': 'json',
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
	'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
};

const TYPE_TO_MIME: Record<string, string> = Object.fromEntries(
	Object.entries(MIME_TO_TYPE).map(([mime, type]) => [type, mime]),
);

/** Presigned links stay valid for an hour unless `expires_at_seconds` asks otherwise. */
const DEFAULT_LINK_SECONDS = 3600;

export function registerFileRoutes(router: Router, state: EmulatorState): void {
	router.add('POST', '/api/v1/beta/files', async (ctx) => {
		const upload = await receiveUpload(ctx.req, state, 'file');
		const missing = [];
		if (!upload.file) missing.push(validationEntry(['body', 'file'], 'Field required', 'missing'));
		if (upload.fields.purpose === undefined) missing.push(validationEntry(['body', 'purpose'], 'Field required', 'missing'));
		const purpose = upload.fields.purpose;
		if (purpose !== undefined && !(FILE_PURPOSES as readonly string[]).includes(purpose)) {
			missing.push(validationEntry(['body', 'purpose'], `Input should be ${describeChoices(FILE_PURPOSES)}`, 'enum', purpose));
		}
		if (missing.length > 0 || !upload.file) {
			if (upload.file?.tempPath) await fs.rm(upload.file.tempPath, { force: true });
			throw unprocessable(missing);
		}
		const received = upload.file;
		const name = received.fileName.trim() === '' ? 'upload' : received.fileName.slice(0, 3000);
		const extension = extname(name).slice(1).toLowerCase();
		const mimeType =
			received.mimeType && received.mimeType !== 'application/octet-stream'
				? received.mimeType
				: (TYPE_TO_MIME[extension] ?? received.mimeType ?? 'application/octet-stream');
		const record: FileRecord = {
			id: newId('dfl-'),
			seq: state.nextSeq(),
			name,
			purpose: purpose as string,
			externalFileId: upload.fields.external_file_id || null,
			fileType: extension || MIME_TO_TYPE[mimeType] || null,
			mimeType,
			size: received.size,
			sha256: received.sha256,
			createdAtMs: state.clock.now(),
			memory: received.memory,
			tempPath: received.tempPath,
		};
		state.files.set(record.id, record);
		return json(201, fileResponse(state, record, false, ctx.baseUrl));
	});

	router.add('GET', '/api/v1/beta/files', (ctx) => {
		const pageSize = ctx.query.int('page_size', { min: 1, max: 1000 }) ?? 50;
		const ids = ctx.query.list('file_ids');
		const name = ctx.query.string('file_name');
		const externalId = ctx.query.string('external_file_id');
		const withUrl = ctx.query.list('expand').includes('download_url');
		// `order_by` is accepted and ignored: pages are always newest first.
		const matching = newestFirst(state.files.values()).filter(
			(file) =>
				(ids.length === 0 || ids.includes(file.id) || ids.includes(file.id.replace(/^dfl-/, ''))) &&
				(name === undefined || file.name === name) &&
				(externalId === undefined || file.externalFileId === externalId),
		);
		const { page, nextPageToken } = paginate(matching, pageSize, ctx.query.string('page_token'));
		return json(200, {
			items: page.map((file) => fileResponse(state, file, withUrl, ctx.baseUrl)),
			next_page_token: nextPageToken,
			total_size: null,
		});
	});

	router.add('GET', '/api/v1/beta/files/{file_id}', (ctx) => {
		const file = requireFile(state, ctx.params.file_id);
		return json(200, fileResponse(state, file, ctx.query.list('expand').includes('download_url'), ctx.baseUrl));
	});

	router.add('DELETE', '/api/v1/beta/files/{file_id}', async (ctx) => {
		const file = requireFile(state, ctx.params.file_id);
		state.files.delete(file.id);
		if (file.tempPath) await fs.rm(file.tempPath, { force: true });
		return noContent();
	});

	router.add('GET', '/api/v1/beta/files/{file_id}/content', (ctx) => {
		const file = requireFile(state, ctx.params.file_id);
		const seconds = ctx.query.int('expires_at_seconds', { min: 1 }) ?? DEFAULT_LINK_SECONDS;
		return json(200, presignedUrl(state, file, ctx.baseUrl, seconds));
	});

	// The presigned link itself: no Bearer key, like an S3 URL.
	router.add(
		'GET',
		'/__emulator/files/{file_id}/download',
		(ctx) => download(state, ctx),
		{ auth: false },
	);
}

export function requireFile(state: EmulatorState, id: string): FileRecord {
	const file = state.files.get(id);
	if (!file) throw notFound(`File not found: ${id}`);
	return file;
}

function presignedUrl(state: EmulatorState, file: FileRecord, baseUrl: string, seconds: number) {
	const expiresAtMs = state.clock.now() + seconds * 1000;
	return {
		url: `${baseUrl}/__emulator/files/${file.id}/download?expires=${expiresAtMs}`,
		expires_at: iso(expiresAtMs),
		form_fields: null,
	};
}

export function fileResponse(state: EmulatorState, file: FileRecord, withUrl: boolean, baseUrl: string): FileV2 {
	return {
		id: file.id,
		name: file.name,
		project_id: state.projectId,
		external_file_id: file.externalFileId,
		file_type: file.fileType,
		last_modified_at: iso(file.createdAtMs),
		expires_at: null,
		purpose: file.purpose,
		download_url: withUrl ? presignedUrl(state, file, baseUrl, DEFAULT_LINK_SECONDS) : null,
	};
}

async function download(state: EmulatorState, ctx: RequestContext): Promise<Reply> {
	const file = state.files.get(ctx.params.file_id);
	const expires = Number(ctx.query.string('expires') ?? 0);
	if (!file) return json(404, { detail: 'Not Found' });
	if (!Number.isFinite(expires) || expires < state.clock.now()) return json(403, { detail: 'Request has expired' });
	const headers = {
		'content-type': file.mimeType,
		'content-length': String(file.size),
		'content-disposition': `attachment; filename="${encodeURIComponent(file.name)}"`,
	};
	if (file.tempPath) return { status: 200, headers, stream: createReadStream(file.tempPath) };
	return { status: 200, headers, body: file.memory ?? Buffer.alloc(0) };
}
