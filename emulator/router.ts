/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * A tiny path-template router. Templates use the OpenAPI spelling (`/api/v2/extract/{job_id}`),
 * so request statistics are keyed exactly like the spec's operations.
 */
import type { IncomingMessage } from 'node:http';
import type { Query, Reply } from './http';

export interface RequestContext {
	req: IncomingMessage;
	method: string;
	path: string;
	template: string;
	params: Record<string, string>;
	query: Query;
	/** Base URL of this emulator, for presigned links. */
	baseUrl: string;
}

export type Handler = (ctx: RequestContext) => Promise<Reply> | Reply;

export interface Route {
	method: string;
	template: string;
	handler: Handler;
	/** API routes need a Bearer key; control and presigned-download routes do not. */
	auth: boolean;
}

interface CompiledRoute extends Route {
	segments: string[];
	literalCount: number;
}

export type RouteMatch =
	| { kind: 'found'; route: Route; params: Record<string, string> }
	| { kind: 'method_not_allowed'; allowed: string[] }
	| { kind: 'not_found' };

export class Router {
	private readonly routes: CompiledRoute[] = [];

	add(method: string, template: string, handler: Handler, options: { auth?: boolean } = {}): this {
		const segments = template.split('/').filter(Boolean);
		this.routes.push({
			method: method.toUpperCase(),
			template,
			handler,
			auth: options.auth ?? true,
			segments,
			literalCount: segments.filter((segment) => !segment.startsWith('{')).length,
		});
		// Literal segments beat parameters, so `/extract/schema/validation` wins over `/extract/{job_id}/cancel`.
		this.routes.sort((a, b) => b.literalCount - a.literalCount);
		return this;
	}

	match(method: string, path: string): RouteMatch {
		const parts = path.split('/').filter(Boolean);
		const allowed = new Set<string>();
		for (const route of this.routes) {
			const params = matchSegments(route.segments, parts);
			if (!params) continue;
			if (route.method === method) return { kind: 'found', route, params };
			allowed.add(route.method);
		}
		return allowed.size > 0 ? { kind: 'method_not_allowed', allowed: [...allowed] } : { kind: 'not_found' };
	}
}

function matchSegments(template: string[], parts: string[]): Record<string, string> | undefined {
	if (template.length !== parts.length) return undefined;
	const params: Record<string, string> = {};
	for (let index = 0; index < template.length; index++) {
		const segment = template[index];
		if (segment.startsWith('{') && segment.endsWith('}')) {
			let value: string;
			try {
				value = decodeURIComponent(parts[index]);
			} catch {
				return undefined;
			}
			params[segment.slice(1, -1)] = value;
		} else if (segment !== parts[index]) {
			return undefined;
		}
	}
	return params;
}
