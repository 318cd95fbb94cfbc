/**
 * Validate: ask LlamaExtract whether a schema is usable. Outputs `valid: true` with the normalized schema
 * (references inlined, as jobs will see it) or `valid: false` with the server's reasons, so an IF node can branch.
 * API: POST /api/v2/extract/schema/validation
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { ErrorBody, SchemaValidateResponse } from '../../../shared/contract';
import { resolveSchemaSource, schemaSourceProperties } from '../../descriptions/schemaSource';
import { showFor, type Client } from '../common';

const properties: INodeProperties[] = [...schemaSourceProperties({ allowConfiguration: false })];

export const description = showFor({ show: { resource: ['schema'], operation: ['validate'] } }, properties);

/** The server's reasons as `{path, message}` pairs; the `body.data_schema` prefix is dropped. */
export function reasonsFrom(body: unknown): IDataObject[] {
	const parsed = ErrorBody.safeParse(body);
	if (!parsed.success) return [{ path: '', message: typeof body === 'string' ? body : JSON.stringify(body) }];
	const { detail } = parsed.data;
	if (typeof detail === 'string') return [{ path: '', message: detail }];
	if (!Array.isArray(detail)) return [{ path: '', message: JSON.stringify(detail) }];
	return detail.map((entry) => {
		const loc = entry.loc.map(String);
		const start = loc[0] === 'body' && loc[1] === 'data_schema' ? 2 : loc[0] === 'body' ? 1 : 0;
		return { path: loc.slice(start).join('.'), message: entry.msg, type: entry.type };
	});
}

export async function execute(this: IExecuteFunctions, client: Client, itemIndex: number): Promise<INodeExecutionData[]> {
	const schema = resolveSchemaSource.call(this, itemIndex, { checkRules: false });
	const dataSchema = 'dataSchema' in schema ? schema.dataSchema : {};
	const reply = await client.exchange(
		{ method: 'POST', path: '/api/v2/extract/schema/validation', body: { data_schema: dataSchema }, itemIndex, retry: 'safe' },
		SchemaValidateResponse,
		// 400 and 422 are the server's verdict on the schema; anything else is a real failure.
		{ acceptStatuses: [400, 422] },
	);
	const json = reply.ok
		? { valid: true, data_schema: reply.body.data_schema }
		: { valid: false, errors: reasonsFrom(reply.body), data_schema: dataSchema };
	return [{ json: json as IDataObject, pairedItem: { item: itemIndex } }];
}
