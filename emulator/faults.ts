/**
 * Fault injection: the hook point where the server asks "should this request or job misbehave?".
 *
 * Request rules match a route (`"POST /api/v2/extract"`, `"GET *"`, `"*"`; templates as in the
 * OpenAPI paths) and fire with a probability, optionally after letting the first `after` matching
 * requests through, at most `times` times, and once fired for `burst` requests in a row. Actions:
 *   - `status`: answer with that status instead of running the handler (429 gets `retry-after`
 *     and/or `retry-after-ms`; 5xx get the server's "Oops!" body);
 *   - `reset`: destroy the connection `before` the handler runs or `after` it ran (the work is done
 *     but the client never hears about it);
 *   - `delay`: wait, then carry on (combines with the other rules).
 * Job rules make new jobs `fail` or `stall` (stay RUNNING until cancelled).
 *
 * Randomness comes from a seeded generator, so a test with the same seed sees the same faults.
 */
import { randomUUID } from 'node:crypto';

export type FaultAction =
	| {
			type: 'status';
			status: number;
			/** Response body; defaults to a FastAPI `{"detail": ...}` that fits the status. */
			body?: unknown;
			/** Sent as `retry-after` (seconds). */
			retryAfterSeconds?: number;
			/** Sent as `retry-after-ms`. */
			retryAfterMs?: number;
			headers?: Record<string, string>;
	  }
	| { type: 'reset'; when?: 'before' | 'after' }
	| { type: 'delay'; ms: number };

export interface FaultRule {
	id?: string;
	/** `"METHOD /template"`, `"METHOD *"`, `"/template"` (any method) or `"*"` (default). */
	route?: string;
	/** 0..1, default 1. */
	probability?: number;
	/** Let this many matching requests through before the rule can fire. */
	after?: number;
	/** Fire at most this many times; unlimited when absent. */
	times?: number;
	/** Once the rule fires, it also fires for the next `burst - 1` matching requests (an outage, not a blip). */
	burst?: number;
	action: FaultAction;
}

export interface JobFaultRule {
	id?: string;
	outcome: 'fail' | 'stall';
	probability?: number;
	times?: number;
	/** Only jobs on this file input (`dfl-…` / `pjb-…`). */
	fileInput?: string;
	errorMessage?: string;
}

export interface FaultConfig {
	seed?: number;
	rules?: FaultRule[];
	jobs?: JobFaultRule[];
}

export interface FaultRuleState extends FaultRule {
	id: string;
	matched: number;
	fired: number;
	/** Requests still to fail in the current burst. */
	burstLeft: number;
}

export interface JobFaultRuleState extends JobFaultRule {
	id: string;
	fired: number;
}

export interface RequestFaults {
	delayMs: number;
	action?: Exclude<FaultAction, { type: 'delay' }>;
	ruleId?: string;
}

export interface JobFault {
	outcome: 'fail' | 'stall';
	errorMessage: string;
}

export class Faults {
	private rules: FaultRuleState[] = [];
	private jobRules: JobFaultRuleState[] = [];
	private random: () => number = seededRandom(1);
	private seed = 1;

	/** Replaces every rule. */
	configure(config: FaultConfig): void {
		this.seed = config.seed ?? 1;
		this.random = seededRandom(this.seed);
		this.rules = [];
		this.jobRules = [];
		for (const rule of config.rules ?? []) this.addRule(rule);
		for (const rule of config.jobs ?? []) this.addJobRule(rule);
	}

	addRule(rule: FaultRule): string {
		const state: FaultRuleState = { ...rule, id: rule.id ?? randomUUID(), matched: 0, fired: 0, burstLeft: 0 };
		this.rules.push(state);
		return state.id;
	}

	addJobRule(rule: JobFaultRule): string {
		const state: JobFaultRuleState = { ...rule, id: rule.id ?? randomUUID(), fired: 0 };
		this.jobRules.push(state);
		return state.id;
	}

	removeRule(id: string): boolean {
		const before = this.rules.length + this.jobRules.length;
		this.rules = this.rules.filter((rule) => rule.id !== id);
		this.jobRules = this.jobRules.filter((rule) => rule.id !== id);
		return this.rules.length + this.jobRules.length < before;
	}

	clear(): void {
		this.configure({});
	}

	snapshot(): { seed: number; rules: FaultRuleState[]; jobs: JobFaultRuleState[] } {
		return {
			seed: this.seed,
			rules: this.rules.map((rule) => ({ ...rule })),
			jobs: this.jobRules.map((rule) => ({ ...rule })),
		};
	}

	/** Decides what happens to one API request. */
	forRequest(method: string, template: string): RequestFaults {
		const outcome: RequestFaults = { delayMs: 0 };
		for (const rule of this.rules) {
			if (!routeMatches(rule.route ?? '*', method, template)) continue;
			rule.matched++;
			if (rule.matched <= (rule.after ?? 0)) continue;
			if (rule.times !== undefined && rule.fired >= rule.times) continue;
			if (rule.action.type !== 'delay' && outcome.action) continue;
			if (rule.burstLeft > 0) rule.burstLeft--;
			else if (this.random() >= (rule.probability ?? 1)) continue;
			else rule.burstLeft = Math.max(0, (rule.burst ?? 1) - 1);
			rule.fired++;
			if (rule.action.type === 'delay') outcome.delayMs += rule.action.ms;
			else {
				outcome.action = rule.action;
				outcome.ruleId = rule.id;
			}
		}
		return outcome;
	}

	/** Decides whether a new job fails or stalls. */
	forJob(fileInput: string): JobFault | undefined {
		for (const rule of this.jobRules) {
			if (rule.fileInput !== undefined && rule.fileInput !== fileInput) continue;
			if (rule.times !== undefined && rule.fired >= rule.times) continue;
			if (this.random() >= (rule.probability ?? 1)) continue;
			rule.fired++;
			return {
				outcome: rule.outcome,
				errorMessage: rule.errorMessage ?? 'Emulated failure injected by a fault rule',
			};
		}
		return undefined;
	}
}

function routeMatches(pattern: string, method: string, template: string): boolean {
	if (pattern === '*') return true;
	const spaced = /^([A-Z]+)\s+(.+)$/.exec(pattern.trim());
	const patternMethod = spaced ? spaced[1] : undefined;
	const patternPath = spaced ? spaced[2] : pattern.trim();
	if (patternMethod && patternMethod !== method) return false;
	return patternPath === '*' || patternPath === template;
}

/** Default bodies that look like the real service's. */
export function faultBody(status: number): unknown {
	if (status === 429) return { detail: 'Rate limit exceeded. Please retry later.' };
	if (status >= 500) {
		return {
			detail: `Oops! Something went wrong on our end. Please try again later. If the problem persists, contact support with correlation ID: ${randomUUID()}`,
		};
	}
	if (status === 402) return { detail: 'Insufficient credits: your plan has run out of credits' };
	return { detail: `Injected error ${status}` };
}

/** mulberry32: tiny, fast and good enough to make fault sequences reproducible. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let mixed = state;
		mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
		mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
		return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
	};
}
