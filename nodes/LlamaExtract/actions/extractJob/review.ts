/**
 * Extract Data › Route for Review: splits the finished items into [passed, needs review]. Each routed item says why
 * under `_llamaextract.review.reasons`; error items (Continue On Fail) and jobs still pending stay on the first output
 * as they always have. Order and pairing are kept on both outputs.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { reviewInputOf, reviewReasons } from '../../../shared/review';
import { readJobConfiguration } from '../../descriptions/jobRequest';
import { readReviewSettings } from '../../descriptions/reviewOptions';

function itemIndexOf(item: INodeExecutionData): number {
	const paired = Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem;
	return typeof paired === 'number' ? paired : (paired?.item ?? 0);
}

/** A finished extraction (not an error item, not a job still running). */
function isCompletedResult(json: IDataObject): boolean {
	if (json.error !== undefined) return false;
	const summary = json._llamaextract as IDataObject | undefined;
	return (summary?.status ?? json.status) === 'COMPLETED';
}

export function routeForReview(this: IExecuteFunctions, items: INodeExecutionData[]): INodeExecutionData[][] {
	const passed: INodeExecutionData[] = [];
	const needsReview: INodeExecutionData[] = [];
	const settingsByItem = new Map<number, ReturnType<typeof readReviewSettings>>();
	for (const item of items) {
		if (!isCompletedResult(item.json)) {
			passed.push(item);
			continue;
		}
		const itemIndex = itemIndexOf(item);
		let settings = settingsByItem.get(itemIndex);
		if (!settings) {
			const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
			const config = readJobConfiguration.call(this, itemIndex);
			settings = readReviewSettings.call(this, itemIndex, options, 'configuration' in config ? config.configuration : undefined);
			settingsByItem.set(itemIndex, settings);
		}
		const reasons = reviewReasons(reviewInputOf(item.json), settings);
		if (reasons.length === 0) {
			passed.push(item);
			continue;
		}
		const summary = (item.json._llamaextract as IDataObject | undefined) ?? {};
		needsReview.push({
			...item,
			json: { ...item.json, _llamaextract: { ...summary, review: { reasons, threshold: settings.threshold } } },
		});
	}
	return [passed, needsReview];
}
