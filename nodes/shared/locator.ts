/**
 * A resource-locator parameter in the two modes the nodes offer: From List (a searchable listSearch method) and By ID
 * (checked in the editor by a regular expression). Required, starting on the list.
 */
import type { INodeProperties } from 'n8n-workflow';

export interface ListOrIdLocator {
	displayName: string;
	name: string;
	description: string;
	/** The listSearch method behind From List. */
	searchListMethod: string;
	listPlaceholder: string;
	idPlaceholder: string;
	/** What a typed ID must match, and what the editor says when it does not. */
	idRegex: string;
	idError: string;
}

export function listOrIdLocator(locator: ListOrIdLocator): INodeProperties {
	return {
		displayName: locator.displayName,
		name: locator.name,
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: locator.description,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: locator.listPlaceholder,
				typeOptions: { searchListMethod: locator.searchListMethod, searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: locator.idPlaceholder,
				validation: [{ type: 'regex', properties: { regex: locator.idRegex, errorMessage: locator.idError } }],
			},
		],
	};
}
