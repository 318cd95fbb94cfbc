/* eslint-disable @n8n/community-nodes/no-restricted-globals, @n8n/community-nodes/require-node-api-error */
/**
 * Runs real workflows through n8n-core's WorkflowExecute (and triggers through its PollContext), with this package's
 * node classes and the credentials helper from credentials.ts.
 */
import { ExecutionLifecycleHooks, PollContext, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IPollFunctions,
	IRun,
	IRunExecutionData,
	IWorkflowExecuteAdditionalData,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import { LlamaExtract } from '../../nodes/LlamaExtract/LlamaExtract.node';
import { LlamaExtractTrigger } from '../../nodes/LlamaExtractTrigger/LlamaExtractTrigger.node';
import { TestCredentialsHelper } from './credentials';

/** A pass-through start node: it hands the test's input items to the next node. */
class StartNode implements INodeType {
	description = {
		displayName: 'Start',
		name: 'start',
		group: ['input'],
		version: 1,
		description: 'Test input',
		defaults: { name: 'Start' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

const registry: Record<string, INodeType> = {
	start: new StartNode(),
	llamaExtract: new LlamaExtract(),
	llamaExtractTrigger: new LlamaExtractTrigger(),
};

/** Registers more node classes (the trigger, test helpers) by their short type name. */
export function registerNodeType(name: string, nodeType: INodeType): void {
	registry[name] = nodeType;
}

export const nodeTypes: INodeTypes = {
	getByName: (type) => pick(type),
	getByNameAndVersion: (type, version) => NodeHelpers.getVersionedNodeType(pick(type), version),
	getKnownTypes: () => ({}),
} as INodeTypes;

function pick(type: string): INodeType {
	const short = type.split('.').pop() ?? type;
	const found = registry[short];
	if (!found) throw new Error(`Unknown node type ${type}`);
	return found;
}

export function makeAdditionalData(
	credentials: Record<string, ICredentialDataDecryptedObject>,
	hooks?: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
	const base = 'http://localhost:5678';
	return {
		hooks,
		credentialsHelper: new TestCredentialsHelper(credentials),
		currentNodeParameters: undefined,
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: base,
		formBaseUrl: `${base}/form`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		formTestBaseUrl: `${base}/form-test`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		mcpBaseUrl: `${base}/mcp`,
		mcpTestBaseUrl: `${base}/mcp-test`,
		variables: {},
		userId: 'test-user',
		currentNodeExecutionIndex: 0,
		setExecutionStatus: () => {},
		logAiEvent: () => {},
		getRunExecutionData: async () => undefined,
		executeWorkflow: async () => {
			throw new Error('sub-workflows are not used in these tests');
		},
		startRunnerTask: async () => {
			throw new Error('task runners are not used in these tests');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
}

export interface RunOptions {
	/** Parameters of the node under test (named "LlamaExtract"). */
	parameters: IDataObject;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	input?: INodeExecutionData[];
	onError?: INode['onError'];
	nodeType?: string;
	/** Cancels the execution this long after it starts. */
	cancelAfterMs?: number;
	/** Cancels the execution (as the editor's Stop does) when this settles: at a moment the test chose, not a time. */
	cancelWhen?: Promise<unknown>;
}

export interface RunResult {
	run: IRun;
	workflow: Workflow;
	/** Output items of the node under test (first output). */
	items: INodeExecutionData[];
	/** The error the run ended with, if any. */
	error?: Error & { description?: string; httpCode?: string; context?: IDataObject };
}

let executionCounter = 0;

/** Start → LlamaExtract, executed by WorkflowExecute in manual mode. */
export async function runNode(options: RunOptions): Promise<RunResult> {
	const nodes: INode[] = [
		{ id: 'start', name: 'Start', type: 'test.start', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: 'under-test',
			name: 'LlamaExtract',
			type: options.nodeType ?? 'n8n-nodes-llamaextract.llamaExtract',
			typeVersion: 1,
			position: [200, 0],
			parameters: options.parameters as INode["parameters"],
			credentials: { llamaCloudApi: { id: '1', name: 'LlamaCloud (emulator)' } },
			...(options.onError ? { onError: options.onError } : {}),
		},
	];
	const connections = {
		Start: { main: [[{ node: 'LlamaExtract', type: 'main' as const, index: 0 }]] },
	};
	const workflow = new Workflow({
		id: 'test-workflow',
		name: 'test',
		nodes,
		connections,
		nodeTypes,
		active: false,
		settings: { executionOrder: 'v1' },
	});
	const run = await executeManually(workflow, 'Start', options.input ?? [{ json: {} }], options.credentials, {
		cancelAfterMs: options.cancelAfterMs,
		cancelWhen: options.cancelWhen,
	});
	const nodeRuns = run.data.resultData.runData.LlamaExtract;
	const items = nodeRuns?.[0]?.data?.main?.[0] ?? [];
	return { run, workflow, items, error: run.data.resultData.error as RunResult['error'] };
}

/**
 * Runs `workflow` the way the editor's manual run does: WorkflowExecute from `startNodeName` with `input`, resolving
 * with the finished run (its data, and the error it ended with).
 */
export async function executeManually(
	workflow: Workflow,
	startNodeName: string,
	input: INodeExecutionData[],
	credentials: Record<string, ICredentialDataDecryptedObject>,
	{ cancelAfterMs, cancelWhen }: Pick<RunOptions, 'cancelAfterMs' | 'cancelWhen'> = {},
): Promise<IRun> {
	const hooks = new ExecutionLifecycleHooks('manual', `test-exec-${++executionCounter}`, {
		id: workflow.id,
		name: workflow.name,
		nodes: Object.values(workflow.nodes),
		connections: workflow.connectionsBySourceNode,
		active: false,
		settings: {},
	} as never);
	const finished = new Promise<IRun>((resolve) => hooks.addHandler('workflowExecuteAfter', (run) => resolve(run)));
	const runExecutionData = {
		startData: {},
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			metadata: {},
			waitingExecution: {},
			waitingExecutionSource: null,
			nodeExecutionStack: [{ node: workflow.getNode(startNodeName)!, data: { main: [input] }, source: null }],
		},
	} as unknown as IRunExecutionData;
	const execution = new WorkflowExecute(makeAdditionalData(credentials, hooks), 'manual', runExecutionData);
	const promise = execution.processRunExecutionData(workflow);
	if (cancelAfterMs !== undefined) setTimeout(() => promise.cancel(), cancelAfterMs);
	void cancelWhen?.then(() => promise.cancel());
	await promise;
	return await finished;
}

/** A PollContext in trigger or manual mode, for driving a trigger node's poll() across many polls. */
export function makePollContext(
	workflow: Workflow,
	nodeName: string,
	credentials: Record<string, ICredentialDataDecryptedObject>,
	mode: WorkflowExecuteMode = 'trigger',
	activation: WorkflowActivateMode = 'activate',
	pollBudgetMs?: number,
): IPollFunctions {
	const node = workflow.getNode(nodeName)!;
	const additionalData = makeAdditionalData(credentials);
	return new PollContext(
		workflow,
		node,
		additionalData,
		mode,
		activation,
		undefined,
		undefined,
		undefined,
		undefined,
		undefined,
		pollBudgetMs === undefined ? undefined : () => pollBudgetMs,
	);
}

export function buildWorkflow(nodes: INode[], staticData?: IDataObject): Workflow {
	return new Workflow({
		id: 'test-workflow',
		name: 'test',
		nodes,
		connections: {},
		nodeTypes,
		active: true,
		staticData,
		settings: { executionOrder: 'v1' },
	});
}

/** In-memory binary item, as an earlier node (Read File, email attachment) would hand it over. */
export function binaryItem(
	content: Buffer,
	fileName: string,
	mimeType: string,
	field = 'data',
	json: IDataObject = {},
): INodeExecutionData {
	return {
		json,
		binary: {
			[field]: {
				data: content.toString('base64'),
				mimeType,
				fileName,
				fileExtension: fileName.split('.').pop(),
				fileSize: String(content.length),
			},
		},
	};
}

let probeCount = 0;

/**
 * Runs `body` as the `execute` of a node inside a real WorkflowExecute, so it gets n8n-core's own
 * IExecuteFunctions (helpers, credentials, cancel signal). Returns what `body` returned and the run.
 */
export async function inExecution<T>(
	credentials: Record<string, ICredentialDataDecryptedObject>,
	body: (ctx: IExecuteFunctions) => Promise<T>,
	options: Pick<RunOptions, 'cancelAfterMs' | 'cancelWhen' | 'input'> = {},
): Promise<{ value?: T; thrown?: unknown } & RunResult> {
	const name = `executionProbe${++probeCount}`;
	const outcome: { value?: T; thrown?: unknown } = {};
	registerNodeType(name, {
		description: {
			displayName: 'Execution Probe',
			name,
			group: ['transform'],
			version: 1,
			description: 'Runs test code in an execution context',
			defaults: { name: 'Execution Probe' },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'llamaCloudApi', required: true }],
			properties: [],
		} as unknown as INodeTypeDescription,
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			try {
				outcome.value = await body(this);
			} catch (error) {
				outcome.thrown = error;
				throw error;
			}
			return [[{ json: {}, pairedItem: { item: 0 } }]];
		},
	});
	const run = await runNode({
		parameters: {},
		credentials,
		nodeType: `test.${name}`,
		input: options.input,
		cancelAfterMs: options.cancelAfterMs,
		cancelWhen: options.cancelWhen,
	});
	return { ...outcome, ...run };
}
