/* eslint-disable @n8n/community-nodes/no-restricted-imports */
/**
 * A scripted OpenAI-compatible chat model on 127.0.0.1 (dev tool for the AI Agent e2e): `POST /v1/chat/completions`
 * answers a conversation without a tool result with one call to the LlamaExtract tool carrying `toolArguments`,
 * and a conversation with a tool result with a final answer built from it (the extracted total, or the tool's
 * error). Every request is recorded, so a test can check what the agent sent to the model.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatMessage {
	role: string;
	content?: unknown;
	tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
	tool_call_id?: string;
}

export interface ChatRequest {
	model?: string;
	stream?: boolean;
	messages: ChatMessage[];
	tools?: Array<{ type: string; function: { name: string; description?: string; parameters?: unknown } }>;
}

function textOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((part) => (typeof part === 'string' ? part : String((part as { text?: string }).text ?? ''))).join('');
	return content === undefined || content === null ? '' : JSON.stringify(content);
}

/** The final answer for a tool result: the total it carries, or what went wrong. */
export function answerFor(toolResult: string): string {
	const total = /"total"\s*:\s*(-?\d+(?:\.\d+)?)/.exec(toolResult);
	if (total) return `The invoice total is ${total[1]}.`;
	const error = /"error"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(toolResult);
	return `The document could not be read: ${error ? error[1] : toolResult.slice(0, 200)}`;
}

export class ModelServer {
	readonly requests: ChatRequest[] = [];

	/** What the next tool call carries, e.g. `{ file_id: 'dfl-…' }`. */
	toolArguments: Record<string, unknown> = {};

	private constructor(
		private readonly server: Server,
		readonly url: string,
	) {}

	static async start(): Promise<ModelServer> {
		const handlers: { handle?: (req: IncomingMessage, res: ServerResponse) => Promise<void> } = {};
		const server = createServer((req, res) => void handlers.handle?.(req, res));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;
		const instance = new ModelServer(server, `http://127.0.0.1:${port}/v1`);
		handlers.handle = async (req, res) => await instance.handle(req, res);
		return instance;
	}

	/** The tool result messages the agent sent back to the model, in order. */
	toolResults(): string[] {
		return this.requests.flatMap((request) => request.messages.filter((m) => m.role === 'tool').map((m) => textOf(m.content)));
	}

	async close(): Promise<void> {
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		if (req.method === 'GET' && req.url?.endsWith('/models')) {
			return this.send(res, 200, { object: 'list', data: [{ id: 'scripted-model', object: 'model', owned_by: 'e2e' }] });
		}
		if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) return this.send(res, 404, { error: { message: 'not found' } });
		const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as ChatRequest;
		this.requests.push(body);
		const lastToolResult = [...body.messages].reverse().find((message) => message.role === 'tool');
		const tool = body.tools?.find((candidate) => /llama/i.test(candidate.function.name)) ?? body.tools?.[0];
		const message: ChatMessage =
			lastToolResult || !tool
				? { role: 'assistant', content: answerFor(textOf(lastToolResult?.content)) }
				: {
						role: 'assistant',
						content: null,
						tool_calls: [
							{ id: `call_${this.requests.length}`, function: { name: tool.function.name, arguments: JSON.stringify(this.toolArguments) } },
						].map((call) => ({ ...call, type: 'function' })),
					};
		const finish = message.tool_calls ? 'tool_calls' : 'stop';
		const base = { id: `chatcmpl-${this.requests.length}`, created: Math.floor(Date.now() / 1000), model: body.model ?? 'scripted-model' };
		if (!body.stream) {
			return this.send(res, 200, {
				...base,
				object: 'chat.completion',
				choices: [{ index: 0, message, finish_reason: finish }],
				usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
			});
		}
		res.writeHead(200, { 'content-type': 'text/event-stream' });
		const delta = message.tool_calls
			? { role: 'assistant', tool_calls: message.tool_calls.map((call, index) => ({ index, ...call })) }
			: { role: 'assistant', content: message.content };
		res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }] })}\n\n`);
		res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: finish }] })}\n\n`);
		res.end('data: [DONE]\n\n');
	}

	private send(res: ServerResponse, status: number, body: unknown): void {
		res.writeHead(status, { 'content-type': 'application/json' });
		res.end(JSON.stringify(body));
	}
}
