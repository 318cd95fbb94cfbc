/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * Streaming multipart upload. The file part is hashed as it arrives; it stays in memory up to
 * `memoryFileBytes` and spills to a temp file beyond that, so a 200 MB upload never sits in the
 * emulator's heap. Past `maxUploadBytes` the rest is drained and the request answered with 413.
 */
import busboy from 'busboy';
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, promises as fs, type WriteStream } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, unprocessable, validationEntry } from './http';
import type { EmulatorState } from './state';

export interface ReceivedFile {
	fileName: string;
	mimeType: string;
	size: number;
	sha256: string;
	memory?: Buffer;
	tempPath?: string;
}

export interface ReceivedUpload {
	fields: Record<string, string>;
	file?: ReceivedFile;
}

/** Reads a multipart body; `fileField` is the part that carries the file (`file` for v2 uploads). */
export async function receiveUpload(req: IncomingMessage, state: EmulatorState, fileField = 'file'): Promise<ReceivedUpload> {
	const contentType = req.headers['content-type'] ?? '';
	if (!/^multipart\/form-data/i.test(contentType)) {
		// FastAPI reports the missing form fields when the body is not multipart.
		req.resume();
		throw unprocessable([
			validationEntry(['body', fileField], 'Field required', 'missing'),
			validationEntry(['body', 'purpose'], 'Field required', 'missing'),
		]);
	}
	const limit = state.config.maxUploadBytes;
	const declared = Number(req.headers['content-length'] ?? NaN);
	if (Number.isFinite(declared) && declared > limit + 1024 * 1024) {
		req.resume();
		throw tooLarge(limit);
	}

	return new Promise<ReceivedUpload>((resolve, reject) => {
		const fields: Record<string, string> = {};
		let received: ReceivedFile | undefined;
		let fileWork: Promise<void> = Promise.resolve();
		let overLimit = false;
		let parser: busboy.Busboy;
		try {
			parser = busboy({ headers: req.headers, limits: { fileSize: limit, fieldSize: 1024 * 1024 } });
		} catch (error) {
			req.resume();
			reject(new ApiError(400, `There was an error parsing the body: ${(error as Error).message}`));
			return;
		}
		parser.on('field', (name, value) => {
			fields[name] = value;
		});
		parser.on('file', (name, stream, info) => {
			if (name !== fileField || received) {
				stream.resume();
				return;
			}
			const file: ReceivedFile = { fileName: info.filename ?? 'upload', mimeType: info.mimeType, size: 0, sha256: '' };
			received = file;
			fileWork = storeStream(stream, file, state).then(() => {
				if ((stream as unknown as { truncated?: boolean }).truncated) overLimit = true;
			});
		});
		parser.on('error', (error: Error) => {
			req.unpipe(parser);
			req.resume();
			reject(new ApiError(400, `There was an error parsing the body: ${error.message}`));
		});
		parser.on('close', () => {
			fileWork.then(
				async () => {
					if (overLimit && received) {
						if (received.tempPath) await fs.rm(received.tempPath, { force: true });
						reject(tooLarge(limit));
						return;
					}
					resolve({ fields, file: received });
				},
				(error: unknown) => reject(error),
			);
		});
		req.pipe(parser);
	});
}

function tooLarge(limit: number): ApiError {
	return new ApiError(413, `File too large: uploads are limited to ${Math.round(limit / 1048576)} MB`);
}

async function storeStream(stream: NodeJS.ReadableStream, file: ReceivedFile, state: EmulatorState): Promise<void> {
	const hash = createHash('sha256');
	const chunks: Buffer[] = [];
	let disk: WriteStream | undefined;
	for await (const chunk of stream) {
		const buffer = chunk as Buffer;
		hash.update(buffer);
		file.size += buffer.length;
		if (!disk && file.size > state.config.memoryFileBytes) {
			file.tempPath = join(tempDirectory(state), `upload-${state.nextSeq()}`);
			disk = createWriteStream(file.tempPath);
			for (const earlier of chunks) disk.write(earlier);
			chunks.length = 0;
		}
		if (disk) {
			if (!disk.write(buffer)) await new Promise<void>((resolve) => disk?.once('drain', () => resolve()));
		} else {
			chunks.push(buffer);
		}
	}
	if (disk) {
		const closing = disk;
		await new Promise<void>((resolve, reject) => closing.end((error?: Error | null) => (error ? reject(error) : resolve())));
	} else {
		file.memory = Buffer.concat(chunks);
	}
	file.sha256 = hash.digest('hex');
}

function tempDirectory(state: EmulatorState): string {
	if (!state.tempDir) state.tempDir = mkdtempSync(join(tmpdir(), 'llamacloud-emulator-'));
	return state.tempDir;
}
