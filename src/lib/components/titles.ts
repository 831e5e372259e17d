// A board's heading from its data-scope key.
import { t } from '$lib/i18n/index.ts';
import { parseScope } from '$lib/measures.ts';

export function boardTitle(scope: string): string {
	const s = parseScope(scope);
	return !s || s.kind === 'org' ? t('board.title.overview') : t(`board.title.${s.kind}`, { name: s.id });
}
