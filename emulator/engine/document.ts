/* eslint-disable @n8n/community-nodes/require-node-api-error */
/**
 * Turns a file into pages of lines, and lines into cells.
 *
 * PDFs: pdf.js text items are grouped into lines by their y position and split into cells where the
 * horizontal gap is wider than about a character, so a simple table drawn column by column comes
 * back as one tab-separated line per row. Text files: a form feed starts a new page; cells are
 * split on tabs, on markdown pipes, or on runs of two or more spaces (character offsets stand in
 * for x positions, so space-aligned tables line up the same way).
 */
import pdfParse from 'pdf-parse/lib/pdf-parse.js';

export interface Cell {
	text: string;
	/** Left and right edge: PDF points, or character offsets in text files. */
	start: number;
	end: number;
}

export interface Line {
	page: number;
	/** Position of the line on its page, top first. */
	index: number;
	/** Cells joined by a tab. */
	text: string;
	cells: Cell[];
}

export interface Page {
	number: number;
	lines: Line[];
}

export interface ParsedDocument {
	kind: 'pdf' | 'text';
	pages: Page[];
	/** Every page's text, pages separated by a form feed; used for the emulator's markers. */
	fullText: string;
}

export class UnsupportedDocumentError extends Error {}

export interface DocumentHints {
	fileName?: string;
	mimeType?: string;
}

export async function readDocument(bytes: Buffer, hints: DocumentHints = {}): Promise<ParsedDocument> {
	if (isPdf(bytes)) return readPdf(bytes);
	const text = decodeText(bytes);
	if (text === undefined) {
		const what = hints.fileName ?? hints.mimeType ?? 'this file';
		throw new UnsupportedDocumentError(
			`Unsupported document type for ${what}: the emulator reads PDF, .txt and .md files`,
		);
	}
	const markdown = /\.(md|markdown)$/i.test(hints.fileName ?? '') || hints.mimeType === 'text/markdown';
	return readText(text, markdown);
}

export function isPdf(bytes: Buffer): boolean {
	return bytes.subarray(0, 1024).includes('%PDF-');
}

/** UTF-8 text without NUL bytes counts as text; anything else is binary we cannot read. */
function decodeText(bytes: Buffer): string | undefined {
	if (bytes.includes(0)) return undefined;
	const text = bytes.toString('utf8');
	const replacements = (text.match(/\uFFFD/g) ?? []).length;
	if (replacements > Math.max(2, text.length / 100)) return undefined;
	return text.replace(/^\uFEFF/, '');
}

/* ------------------------------------------------------------------------------------------------
 * PDF
 * ---------------------------------------------------------------------------------------------- */

interface PositionedText {
	text: string;
	x: number;
	y: number;
	width: number;
	size: number;
}

async function readPdf(bytes: Buffer): Promise<ParsedDocument> {
	const itemsByPage = new Map<number, PositionedText[]>();
	// pdf.js (1.10, in pdf-parse) copies its input with `new input.constructor(input)` and then reads
	// the copy's whole ArrayBuffer. For a Buffer that copy comes from Node's shared pool at an offset,
	// so pdf.js would see the wrong bytes; a plain Uint8Array copy owns its memory.
	const ownMemory = new Uint8Array(bytes) as unknown as Buffer;
	let result;
	try {
		result = await pdfParse(ownMemory, {
			pagerender: async (page) => {
				const content = await page.getTextContent({ normalizeWhitespace: false, disableCombineTextItems: true });
				itemsByPage.set(
					page.pageIndex,
					content.items.map((item) => ({
						text: item.str,
						x: item.transform[4],
						y: item.transform[5],
						width: item.width,
						size: Math.abs(item.transform[3]) || item.height || 10,
					})),
				);
				return '';
			},
		});
	} catch (error) {
		throw new UnsupportedDocumentError(`The PDF could not be read: ${(error as Error).message}`);
	}
	const pages: Page[] = [];
	for (let index = 0; index < result.numpages; index++) {
		pages.push({ number: index + 1, lines: buildPdfLines(itemsByPage.get(index) ?? [], index + 1) });
	}
	return { kind: 'pdf', pages, fullText: pagesText(pages) };
}

function buildPdfLines(items: PositionedText[], pageNumber: number): Line[] {
	const visible = items.filter((item) => item.text.trim() !== '');
	// Top of the page first (PDF y grows upwards), then left to right.
	visible.sort((a, b) => b.y - a.y || a.x - b.x);
	const rows: PositionedText[][] = [];
	for (const item of visible) {
		const row = rows[rows.length - 1];
		const tolerance = Math.max(2, item.size * 0.3);
		if (row && Math.abs(row[0].y - item.y) <= tolerance) row.push(item);
		else rows.push([item]);
	}
	return rows.map((row, index) => {
		row.sort((a, b) => a.x - b.x);
		const cells: Cell[] = [];
		let current: Cell | undefined;
		let previousEnd = 0;
		for (const item of row) {
			const gap = item.x - previousEnd;
			const text = item.text.replace(/\s+/g, ' ');
			if (!current || gap > item.size * 1.0) {
				current = { text: text.trim(), start: item.x, end: item.x + item.width };
				cells.push(current);
			} else {
				const joiner = gap > item.size * 0.15 && !current.text.endsWith(' ') ? ' ' : '';
				current.text = (current.text + joiner + text).replace(/\s+/g, ' ').trim();
				current.end = item.x + item.width;
			}
			previousEnd = item.x + item.width;
		}
		const kept = cells.filter((cell) => cell.text !== '');
		return { page: pageNumber, index, text: kept.map((cell) => cell.text).join('\t'), cells: kept };
	});
}

/* ------------------------------------------------------------------------------------------------
 * Text and markdown
 * ---------------------------------------------------------------------------------------------- */

export function readText(text: string, markdown = false): ParsedDocument {
	const pageTexts = text.replace(/\r\n?/g, '\n').split('\f');
	const pages: Page[] = pageTexts.map((pageText, pageIndex) => {
		const lines: Line[] = [];
		for (const rawLine of pageText.split('\n')) {
			const cleaned = markdown ? stripMarkdown(rawLine) : rawLine;
			if (cleaned === undefined || cleaned.trim() === '') continue;
			const cells = splitTextCells(cleaned);
			if (cells.length === 0) continue;
			lines.push({
				page: pageIndex + 1,
				index: lines.length,
				text: cells.map((cell) => cell.text).join('\t'),
				cells,
			});
		}
		return { number: pageIndex + 1, lines };
	});
	return { kind: 'text', pages, fullText: pagesText(pages) };
}

/** Removes emphasis, headings and list bullets; drops table separator rows (`|---|---|`). */
function stripMarkdown(line: string): string | undefined {
	if (/^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/.test(line)) return undefined;
	return line
		.replace(/^\s{0,3}#{1,6}\s+/, '')
		.replace(/^\s*[-*+]\s+(?=\S)/, '')
		.replace(/\*\*|__/g, '')
		.replace(/`/g, '');
}

function splitTextCells(line: string): Cell[] {
	const trimmedRight = line.replace(/\s+$/, '');
	if (/^\s*\|.*\|\s*$/.test(trimmedRight)) {
		const cells: Cell[] = [];
		let offset = trimmedRight.indexOf('|') + 1;
		const inner = trimmedRight.slice(offset, trimmedRight.lastIndexOf('|'));
		for (const part of inner.split('|')) {
			const leading = part.length - part.trimStart().length;
			const text = part.trim();
			if (text !== '') cells.push({ text, start: offset + leading, end: offset + leading + text.length });
			offset += part.length + 1;
		}
		return cells;
	}
	const cells: Cell[] = [];
	const separator = trimmedRight.includes('\t') ? /\t+/g : /\s{2,}/g;
	let start = 0;
	const pushCell = (from: number, to: number) => {
		const raw = trimmedRight.slice(from, to);
		const leading = raw.length - raw.trimStart().length;
		const text = raw.trim().replace(/\s+/g, ' ');
		if (text !== '') cells.push({ text, start: from + leading, end: from + leading + raw.trim().length });
	};
	for (const match of trimmedRight.matchAll(separator)) {
		const at = match.index ?? 0;
		pushCell(start, at);
		start = at + match[0].length;
	}
	pushCell(start, trimmedRight.length);
	return cells;
}

function pagesText(pages: Page[]): string {
	return pages.map((page) => page.lines.map((line) => line.text).join('\n')).join('\f');
}
