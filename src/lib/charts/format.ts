// Measure values as text, by unit: shared by tiles, chart labels and text alternatives, so the
// screen, the tooltip and the accessible table never disagree.
import { fmtDuration, fmtNumber, fmtPercent } from '../i18n/index.ts';
import { MEASURES, type MeasureKey, type Unit } from '../measures.ts';

function formatByUnit(
	unit: Unit,
	value: number | null | undefined,
	locale?: string,
	compact = false
): string {
	if (value === null || value === undefined || Number.isNaN(value)) return '–';
	switch (unit) {
		case 'seconds':
			return fmtDuration(value, locale, compact);
		case 'fraction':
			return fmtPercent(value, locale);
		case 'score5':
			return fmtNumber(value, locale, 2);
		case 'score100':
			return fmtNumber(value, locale, 1);
		case 'count':
			return fmtNumber(value, locale);
	}
}

/** `compact` for the wall: fewer units where they only add width. */
export const formatMeasure = (
	key: MeasureKey,
	value: number | null | undefined,
	locale?: string,
	compact = false
) => formatByUnit(MEASURES[key].unit, value, locale, compact);

/** A signed difference in the measure's unit; fractions as percentage points ("+2.1 pts" in the catalogue). */
export function formatDelta(key: MeasureKey, delta: number, locale?: string): string {
	const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±';
	const unit = MEASURES[key].unit;
	const abs = Math.abs(delta);
	const text = unit === 'fraction' ? fmtNumber(abs * 100, locale, 1) : formatByUnit(unit, abs, locale);
	return sign + text;
}
