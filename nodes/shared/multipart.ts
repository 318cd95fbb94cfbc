/**
 * multipart/form-data bodies built by hand. `FormData` needs the file as a `Blob`, that is whole in memory; building
 * the envelope ourselves lets a file stream from n8n's binary store to LlamaCloud with an exact Content-Length, and
 * lets an in-memory file be decoded straight into the body without a second copy.
 *
 * Layout (RFC 7578): text fields first, then the file part, then the closing boundary.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

/** The stream type n8n's binary helpers hand out (a Node `Readable`), named without importing node:stream. */
export type BinaryStream = Awaited<ReturnType<IExecuteFunctions['helpers']['getBinaryStream']>>;

export interface MultipartFilePart {
	fieldName: string;
	fileName: string;
	mimeType: string;
}

/** Everything of a multipart body except the file's bytes. */
export interface MultipartEnvelope {
	contentType: string;
	/** Text fields and the file part's headers. */
	head: Buffer;
	/** CRLF after the file and the closing boundary. */
	tail: Buffer;
}

const CRLF = '\r\n';

/** Quotes a name the way browsers and undici's FormData do: `"`, CR and LF are percent-escaped, the rest is UTF-8. */
function quoted(value: string): string {
	return `"${value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"`;
}

/** A boundary that cannot occur by chance in the file (122 random bits). */
export function newBoundary(): string {
	return `----n8nLlamaExtract${crypto.randomUUID().replace(/-/g, '')}`;
}

export function multipartEnvelope(
	fields: ReadonlyArray<readonly [string, string]>,
	file: MultipartFilePart,
	boundary: string = newBoundary(),
): MultipartEnvelope {
	let head = '';
	for (const [name, value] of fields) {
		head += `--${boundary}${CRLF}Content-Disposition: form-data; name=${quoted(name)}${CRLF}${CRLF}${value}${CRLF}`;
	}
	head +=
		`--${boundary}${CRLF}` +
		`Content-Disposition: form-data; name=${quoted(file.fieldName)}; filename=${quoted(file.fileName)}${CRLF}` +
		`Content-Type: ${file.mimeType.replace(/[\r\n]/g, '') || 'application/octet-stream'}${CRLF}${CRLF}`;
	return {
		contentType: `multipart/form-data; boundary=${boundary}`,
		head: Buffer.from(head, 'utf8'),
		tail: Buffer.from(`${CRLF}--${boundary}--${CRLF}`, 'utf8'),
	};
}

export function multipartLength(envelope: MultipartEnvelope, fileSize: number): number {
	return envelope.head.length + fileSize + envelope.tail.length;
}

/** Head, file, tail as one buffer: for bytes already in memory (one copy, no Blob). */
export function bufferedMultipartBody(envelope: MultipartEnvelope, data: Buffer): Buffer {
	return Buffer.concat([envelope.head, data, envelope.tail]);
}

/**
 * In-memory n8n binaries are base64 text. Decoding it straight into a buffer that already has room for the head and
 * tail leaves one copy of the file in memory, where `getBinaryDataBuffer` + concatenation would make two.
 */
export function base64MultipartBody(
	envelope: MultipartEnvelope,
	base64: string,
): { body: Buffer; fileSize: number } {
	const { head, tail } = envelope;
	// byteLength over-estimates when the text carries whitespace; the real size is what `write` reports.
	const body = Buffer.allocUnsafe(head.length + Buffer.byteLength(base64, 'base64') + tail.length);
	head.copy(body, 0);
	const fileSize = body.write(base64, head.length, 'base64');
	tail.copy(body, head.length + fileSize);
	return { body: body.subarray(0, head.length + fileSize + tail.length), fileSize };
}

/** Raised inside the body stream when the store hands back a different number of bytes than its metadata said. */
export class FileSizeMismatchError extends Error {
	constructor(
		readonly expected: number,
		readonly actual: number,
	) {
		super(
			`The stored file has ${actual > expected ? 'more' : 'fewer'} bytes than its recorded size (${expected})`,
		);
	}
}

/**
 * Head, the file streamed chunk by chunk, tail: a Node `Readable` made with the `Readable.from` that the source
 * stream's own class inherits (nodes may not import node:stream). Returns undefined when the source is not a Node
 * stream, so the caller can fall back to reading it into memory. The byte count is checked as it flows, because a
 * wrong Content-Length would make the server wait or cut the file.
 */
export function streamedMultipartBody(
	envelope: MultipartEnvelope,
	source: BinaryStream,
	fileSize: number,
	onMismatch?: (error: FileSizeMismatchError) => void,
): BinaryStream | undefined {
	const from = (source?.constructor as unknown as { from?: unknown })?.from;
	if (typeof from !== 'function') return undefined;
	// The HTTP client turns a stream error into a generic network error; the callback keeps the real reason.
	const mismatch = (sent: number) => {
		const error = new FileSizeMismatchError(fileSize, sent);
		onMismatch?.(error);
		return error;
	};
	async function* parts(): AsyncGenerator<Buffer> {
		yield envelope.head;
		let sent = 0;
		for await (const chunk of source as AsyncIterable<Buffer | string>) {
			const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
			sent += bytes.length;
			if (sent > fileSize) throw mismatch(sent);
			yield bytes;
		}
		if (sent !== fileSize) throw mismatch(sent);
		yield envelope.tail;
	}
	return (
		from as (iterable: AsyncIterable<Buffer>, options: { objectMode: boolean }) => BinaryStream
	).call(source.constructor, parts(), { objectMode: false });
}
