/**
 * Collection parameters (Options, Filters, Settings), the same header everywhere. n8n's lint checks the order of a
 * collection's options only where the collection is an inline literal, so lists passed here are kept alphabetical by
 * display name by hand (the editor shows them in the order given).
 */
import type { INodeProperties } from 'n8n-workflow';

type Header = Pick<INodeProperties, 'displayName' | 'name' | 'placeholder'>;

/** `extra` adds e.g. a description or displayOptions. */
function collection(header: Header, options: INodeProperties[], extra: Partial<INodeProperties> = {}): INodeProperties {
	return { ...header, type: 'collection', default: {}, ...extra, options };
}

export function optionsCollection(options: INodeProperties[], extra?: Partial<INodeProperties>): INodeProperties {
	return collection({ displayName: 'Options', name: 'options', placeholder: 'Add Option' }, options, extra);
}

export function filtersCollection(options: INodeProperties[], extra?: Partial<INodeProperties>): INodeProperties {
	return collection({ displayName: 'Filters', name: 'filters', placeholder: 'Add Filter' }, options, extra);
}

/** A named group of settings for something the node creates (a configuration's, an agent's). */
export function settingsCollection(
	displayName: string,
	name: string,
	options: INodeProperties[],
	extra?: Partial<INodeProperties>,
): INodeProperties {
	return collection({ displayName, name, placeholder: 'Add Setting' }, options, extra);
}
