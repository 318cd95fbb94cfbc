/**
 * What kind of file a binary holds, decided from its name, then its MIME type, then its first bytes. Mail often
 * says nothing useful (a .PDF sent as application/octet-stream, a scan called "document"), so the bytes settle it.
 * Pure: no I/O, no node parameters.
 */

/** The groups of the Document Types option. */
export const DOCUMENT_KINDS = ['pdf', 'image', 'office', 'text'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

interface KnownType {
	kind: DocumentKind;
	mimeType: string;
}

/** The file types LlamaExtract reads, by extension (lower case), with the MIME type each is sent as. */
export const READABLE_TYPES: Readonly<Record<string, KnownType>> = {
	pdf: { kind: 'pdf', mimeType: 'application/pdf' },
	png: { kind: 'image', mimeType: 'image/png' },
	jpg: { kind: 'image', mimeType: 'image/jpeg' },
	jpeg: { kind: 'image', mimeType: 'image/jpeg' },
	gif: { kind: 'image', mimeType: 'image/gif' },
	bmp: { kind: 'image', mimeType: 'image/bmp' },
	tif: { kind: 'image', mimeType: 'image/tiff' },
	tiff: { kind: 'image', mimeType: 'image/tiff' },
	webp: { kind: 'image', mimeType: 'image/webp' },
	doc: { kind: 'office', mimeType: 'application/msword' },
	docx: { kind: 'office', mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
	xls: { kind: 'office', mimeType: 'application/vnd.ms-excel' },
	xlsx: { kind: 'office', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
	ppt: { kind: 'office', mimeType: 'application/vnd.ms-powerpoint' },
	pptx: { kind: 'office', mimeType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation' },
	odt: { kind: 'office', mimeType: 'application/vnd.oasis.opendocument.text' },
	ods: { kind: 'office', mimeType: 'application/vnd.oasis.opendocument.spreadsheet' },
	odp: { kind: 'office', mimeType: 'application/vnd.oasis.opendocument.presentation' },
	rtf: { kind: 'office', mimeType: 'application/rtf' },
	txt: { kind: 'text', mimeType: 'text/plain' },
	md: { kind: 'text', mimeType: 'text/markdown' },
	csv: { kind: 'text', mimeType: 'text/csv' },
	tsv: { kind: 'text', mimeType: 'text/tab-separated-values' },
	html: { kind: 'text', mimeType: 'text/html' },
	htm: { kind: 'text', mimeType: 'text/html' },
	xml: { kind: 'text', mimeType: 'application/xml' },
};

/** MIME types that say nothing about what a file is. */
export const UNTELLING_MIME_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/unknown']);

/** How many leading bytes `sniffExtension` looks at (enough to find the folder names inside an Office ZIP). */
export const SNIFF_BYTES = 64 * 1024;

export interface DetectedType {
	/** Lower-case extension of a readable type, e.g. "pdf"; undefined when LlamaExtract cannot read the file. */
	extension?: string;
	kind?: DocumentKind;
	/** The MIME type to send. */
	mimeType?: string;
	/** What told the type. */
	by: 'name' | 'mime' | 'bytes' | 'nothing';
}

/** The lower-case extension of a file name ("Invoice 7.PDF" -> "pdf"), or undefined. */
export function extensionOf(fileName: string | undefined): string | undefined {
	const match = /\.([A-Za-z0-9]{1,10})$/.exec(fileName ?? '');
	return match ? match[1].toLowerCase() : undefined;
}

export function normalMimeType(mimeType: string | undefined): string {
	return (mimeType ?? '').split(';')[0].trim().toLowerCase();
}

function extensionForMimeType(mimeType: string): string | undefined {
	if (mimeType === 'image/jpg' || mimeType === 'image/pjpeg') return 'jpg';
	return Object.keys(READABLE_TYPES).find((extension) => READABLE_TYPES[extension].mimeType === mimeType);
}

function startsWith(head: Uint8Array, bytes: number[], offset = 0): boolean {
	if (head.length < offset + bytes.length) return false;
	return bytes.every((byte, index) => head[offset + index] === byte);
}

function containsAscii(head: Uint8Array, text: string): boolean {
	const first = text.charCodeAt(0);
	outer: for (let i = head.indexOf(first); i >= 0 && i <= head.length - text.length; i = head.indexOf(first, i + 1)) {
		for (let j = 1; j < text.length; j++) if (head[i + j] !== text.charCodeAt(j)) continue outer;
		return true;
	}
	return false;
}

/** The type the first bytes show: PDF, PNG, JPEG, GIF, TIFF, or the ZIP of a docx/xlsx/pptx. */
export function sniffExtension(head: Uint8Array): string | undefined {
	// A PDF may have junk before its header; readers accept it within the first 1024 bytes.
	if (containsAscii(head.subarray(0, 1024), '%PDF-')) return 'pdf';
	if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
	if (startsWith(head, [0xff, 0xd8, 0xff])) return 'jpg';
	if (startsWith(head, [0x47, 0x49, 0x46, 0x38])) return 'gif';
	if (startsWith(head, [0x49, 0x49, 0x2a, 0x00]) || startsWith(head, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
	if (startsWith(head, [0x52, 0x49, 0x46, 0x46]) && startsWith(head, [0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
	if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) {
		// Office Open XML keeps its parts in word/, xl/ or ppt/; the entry names are stored uncompressed.
		if (containsAscii(head, 'word/')) return 'docx';
		if (containsAscii(head, 'xl/')) return 'xlsx';
		if (containsAscii(head, 'ppt/')) return 'pptx';
	}
	return undefined;
}

function known(extension: string, by: DetectedType['by']): DetectedType {
	const type = READABLE_TYPES[extension];
	return { extension, kind: type.kind, mimeType: type.mimeType, by };
}

/**
 * The readable type of a file: its extension when LlamaExtract reads it, else its MIME type, else (when `head` is
 * given) its first bytes. `needsBytes` tells the caller whether reading the head could change the answer.
 */
export function detectDocumentType(file: { fileName?: string; mimeType?: string; head?: Uint8Array }): DetectedType {
	const byName = extensionOf(file.fileName);
	if (byName && READABLE_TYPES[byName]) return known(byName, 'name');
	const byMime = extensionForMimeType(normalMimeType(file.mimeType));
	if (byMime) return known(byMime, 'mime');
	const byBytes = file.head ? sniffExtension(file.head) : undefined;
	if (byBytes) return known(byBytes, 'bytes');
	return { by: 'nothing' };
}

/** Whether the name and MIME type leave the type open, so the first bytes must be read. */
export function needsBytes(file: { fileName?: string; mimeType?: string }): boolean {
	return detectDocumentType(file).by === 'nothing';
}

/**
 * The name to send: LlamaCloud tells a type by the extension, so a missing one is added and an upper-case one
 * (".PDF") is written in lower case. Spaces and non-ASCII characters stay as they are.
 */
export function uploadFileName(fileName: string | undefined, extension: string): string {
	const name = (fileName ?? '').trim() || 'document';
	const current = extensionOf(name);
	if (current === extension) return name.slice(0, name.length - extension.length) + extension;
	if (current && READABLE_TYPES[current]?.mimeType === READABLE_TYPES[extension]?.mimeType) {
		return name.slice(0, name.length - current.length) + current;
	}
	return `${name}.${extension}`;
}
