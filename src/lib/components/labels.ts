// Words for chart keys: catalogued names where the catalogue has them, the raw key otherwise
// (dimensions and form sections are configurable, so an unknown one still shows its key).
import { hasMessage, t } from '$lib/i18n/index.ts';

export const labelWith =
	(prefix: string) =>
	(key: string): string => {
		for (const k of [`${prefix}${key}`, `series.${key}`, `measure.${key}`]) if (hasMessage(k)) return t(k);
		return key;
	};
