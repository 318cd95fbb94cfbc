/**
 * Drives the LlamaExtract Trigger the way n8n does: `poll()` through n8n-core's PollContext in trigger mode with the
 * workflow's static data carried between polls, a restart as a new Workflow built from a copy of that static data,
 * and "Fetch Test Event" as a manual WorkflowExecute run; plus what the trigger tests expect of what it emitted.
 */
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeExecutionData,
	Workflow,
} from 'n8n-workflow';

import { LlamaExtractTrigger } from '../../nodes/LlamaExtractTrigger/LlamaExtractTrigger.node';
import { buildWorkflow, executeManually, makePollContext } from './n8n';

export const TRIGGER_NAME = 'LlamaExtract Trigger';

export function triggerNode(parameters: IDataObject): INode {
	return {
		id: 'trigger',
		name: TRIGGER_NAME,
		type: 'n8n-nodes-llamaextract.llamaExtractTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters: parameters as INode['parameters'],
		credentials: { llamaCloudApi: { id: '1', name: 'LlamaCloud (emulator)' } },
	};
}

/** What n8n writes to and reads back from the database. */
export function copyStaticData(staticData: IDataObject): IDataObject {
	const stored = JSON.parse(JSON.stringify(staticData)) as IDataObject;
	delete stored.__dataChanged;
	return stored;
}

export class TriggerRig {
	workflow: Workflow;

	/** A fresh class instance per "process", as after an n8n restart. */
	private nodeType = new LlamaExtractTrigger();

	polls = 0;

	/**
	 * What n8n has in its database: it saves static data after activation (the first poll) and whenever a poll
	 * emits; changes made by polls that return null live only in memory until then.
	 */
	private persisted: IDataObject | undefined;

	constructor(
		private readonly node: INode,
		private readonly credentials: Record<string, ICredentialDataDecryptedObject>,
		staticData?: IDataObject,
	) {
		this.workflow = buildWorkflow([node], staticData && copyStaticData(staticData));
	}

	/** One scheduled poll; returns the emitted items' JSON, or null. */
	async poll(pollBudgetMs?: number): Promise<IDataObject[] | null> {
		this.polls++;
		const context = makePollContext(
			this.workflow,
			TRIGGER_NAME,
			this.credentials,
			'trigger',
			'activate',
			pollBudgetMs,
		);
		const result = await this.nodeType.poll.call(context);
		if (result !== null || this.polls === 1)
			this.persisted = copyStaticData(this.workflow.staticData);
		if (result === null) return null;
		expect(result).toHaveLength(1);
		expect(result[0].length).toBeGreaterThan(0);
		return result[0].map((item) => item.json);
	}

	/** The cursor as n8n would store it. */
	staticData(): IDataObject | undefined {
		return this.workflow.staticData[`node:${TRIGGER_NAME}`] as IDataObject | undefined;
	}

	/**
	 * n8n restarts: the workflow is rebuilt from the static data last saved (what quiet polls changed since is
	 * lost), and the node class is new.
	 */
	restart(): void {
		this.workflow = buildWorkflow([this.node], this.persisted && copyStaticData(this.persisted));
		this.nodeType = new LlamaExtractTrigger();
	}

	/** "Fetch Test Event": a manual run of the trigger node through WorkflowExecute. */
	async fetchTestEvent(): Promise<{
		items: INodeExecutionData[];
		error?: Error & { description?: string };
	}> {
		const run = await executeManually(
			this.workflow,
			TRIGGER_NAME,
			[{ json: {} }],
			this.credentials,
		);
		const items = run.data.resultData.runData[TRIGGER_NAME]?.[0]?.data?.main?.[0] ?? [];
		return {
			items,
			error: run.data.resultData.error as (Error & { description?: string }) | undefined,
		};
	}
}

/** Polls until `enough(emitted)` holds after a poll (or `maxPolls` ran out), collecting every emitted item. */
export async function pollUntil(
	rig: TriggerRig,
	enough: (emitted: IDataObject[]) => boolean,
	options: {
		maxPolls?: number;
		budgetMs?: number;
		between?: (poll: number) => void | Promise<void>;
	} = {},
): Promise<IDataObject[]> {
	const emitted: IDataObject[] = [];
	const maxPolls = options.maxPolls ?? 200;
	for (let poll = 0; poll < maxPolls; poll++) {
		await options.between?.(poll);
		const items = await rig.poll(options.budgetMs);
		if (items) emitted.push(...items);
		if (enough(emitted)) return emitted;
	}
	throw new Error(`pollUntil: ${emitted.length} items after ${maxPolls} polls, not enough`);
}

export function jobIdOf(item: IDataObject): string {
	const summary = item._llamaextract as IDataObject | undefined;
	return String(summary?.job_id ?? item.id);
}

export function expectEachOnce(items: IDataObject[], expectedIds: string[]) {
	const counts = new Map<string, number>();
	for (const item of items) counts.set(jobIdOf(item), (counts.get(jobIdOf(item)) ?? 0) + 1);
	const expected = new Set(expectedIds);
	const missed = expectedIds.filter((id) => !counts.has(id));
	const duplicated = [...counts].filter(([, count]) => count > 1).map(([id]) => id);
	const unexpected = [...counts.keys()].filter((id) => !expected.has(id));
	expect({ missed, duplicated, unexpected }).toEqual({
		missed: [],
		duplicated: [],
		unexpected: [],
	});
}

/** After the expected items arrived, a few more polls must stay quiet. */
export async function expectQuiet(trigger: TriggerRig, polls = 2) {
	for (let poll = 0; poll < polls; poll++) expect(await trigger.poll()).toBeNull();
}

export function cursorOf(trigger: TriggerRig): IDataObject {
	return trigger.staticData()?.cursor as IDataObject;
}
