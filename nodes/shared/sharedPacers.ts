/**
 * One RequestPacer per LlamaCloud project in this n8n process, shared by every execution, trigger poll and editor
 * lookup that uses it. LlamaCloud's limits are per project (uploads) and per organization (the free tier), not per
 * execution: executions that each paced themselves alone would each start at the whole limit, and together be
 * refused. In queue mode each worker is one process, so each worker paces itself, and the project's limit is shared
 * between workers by the pacers' adapting (a refusal lowers the cap of the worker that was refused).
 *
 * A pacer idle for `idleMs` is dropped, so what one was taught is forgotten after a quiet spell, and the map does
 * not grow with credentials that are no longer used.
 */
import { RequestPacer } from './pacer';
import type { LlamaCloudConnection } from './connection';

export interface SharedPacerOptions {
	/** Makes the pacer of a new key (tests pass one on a clock they move). */
	create?: () => RequestPacer;
	/** A pacer unused this long is dropped. */
	idleMs?: number;
	now?: () => number;
}

/** 53-bit string hash: keys hold no API key, only this. */
function fingerprint(text: string): string {
	let h1 = 0xdeadbeef;
	let h2 = 0x41c6ce57;
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		h1 = Math.imul(h1 ^ code, 2654435761);
		h2 = Math.imul(h2 ^ code, 1597334677);
	}
	h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
	h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
	return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** Which limits a request counts against: the server, the organization and project, and the key that says whose. */
export function pacerKey(connection: LlamaCloudConnection, apiKey: unknown): string {
	const { baseUrl, organizationId = '', projectId = '' } = connection;
	return [baseUrl, organizationId, projectId, fingerprint(String(apiKey ?? ''))].join('\n');
}

export class SharedPacers {
	private readonly pacers = new Map<string, { pacer: RequestPacer; usedAt: number }>();

	private readonly create: () => RequestPacer;

	private readonly idleMs: number;

	private readonly now: () => number;

	constructor(options: SharedPacerOptions = {}) {
		this.create = options.create ?? (() => new RequestPacer());
		this.idleMs = options.idleMs ?? 15 * 60_000;
		this.now = options.now ?? (() => Date.now());
	}

	/** Unused for `idleMs`, with nothing on the wire: what it learned is stale, and dropping it loses no answer. */
	private isIdle(entry: { pacer: RequestPacer; usedAt: number }, now: number): boolean {
		return now - entry.usedAt > this.idleMs && entry.pacer.inFlight === 0;
	}

	/** The pacer of this key, made on first use; idle ones are dropped on the way. */
	for(key: string): RequestPacer {
		const now = this.now();
		for (const [other, entry] of this.pacers) {
			if (other !== key && this.isIdle(entry, now)) this.pacers.delete(other);
		}
		let entry = this.pacers.get(key);
		if (!entry || this.isIdle(entry, now)) {
			entry = { pacer: this.create(), usedAt: now };
			this.pacers.set(key, entry);
		}
		entry.usedAt = now;
		return entry.pacer;
	}

	get size(): number {
		return this.pacers.size;
	}

	/** Forgets every pacer (tests start each case from the documented limits). */
	clear(): void {
		this.pacers.clear();
	}
}

/** This process's pacers (a worker's, in queue mode). */
export const processPacers = new SharedPacers();
