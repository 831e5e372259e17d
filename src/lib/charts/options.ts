// What every option builder needs beyond its data: colours, type size (the wall uses larger type)
// and the words, passed in so builders stay pure (no DOM, no catalogue lookups) and the PDF
// renderer can call them server-side.
import { PALETTES, type ChartTheme, type Palette } from './palette.ts';

export interface ChartOptions {
	theme?: ChartTheme;
	/** Base font size in px for axis labels and legends. */
	fontSize?: number;
	/** Viewer's locale for numbers. */
	locale?: string;
	/** Turns an indicator, series or axis key into words. */
	label?: (key: string) => string;
	/** Switch off animation for print and server-side rendering. */
	animation?: boolean;
}

export interface Resolved {
	p: Palette;
	fontSize: number;
	locale: string | undefined;
	label: (key: string) => string;
	animation: boolean;
}

/** Words in the middle of a chart that has nothing to draw, so that it does not look broken. */
export const emptyNote = (text: string | undefined, p: Palette, fontSize: number) =>
	text === undefined
		? undefined
		: {
				text,
				left: 'center',
				top: 'middle',
				textStyle: { color: p.muted, fontSize, fontWeight: 'normal' as const }
			};

export const resolve = (o: ChartOptions = {}): Resolved => ({
	p: PALETTES[o.theme ?? 'light'],
	fontSize: o.fontSize ?? 12,
	locale: o.locale,
	label: o.label ?? ((k) => k),
	animation: o.animation ?? false
});
