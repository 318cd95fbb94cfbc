import { listOrIdLocator } from '../../shared/locator';
import { UUID_REGEX_SOURCE } from '../../shared/rules';

/** The v1 extraction agent picker. v1 IDs are bare UUIDs. */
export const agentLocator = listOrIdLocator({
	displayName: 'Agent',
	name: 'agentId',
	description: 'A v1 extraction agent in your LlamaCloud project',
	searchListMethod: 'searchAgents',
	listPlaceholder: 'Select an agent...',
	idPlaceholder: 'e.g. 3fa85f64-5717-4562-b3fc-2c963f66afa6',
	idRegex: UUID_REGEX_SOURCE,
	idError: 'A v1 agent ID is a UUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6',
});
