// Colours shared by every chart and the tiles. Status colours are told apart by lightness as well as
// hue (checked for deuteranopia and protanopia), and the screens always pair them with an icon and a word.
import type { Status } from '../measures.ts';

export type ChartTheme = 'light' | 'dark';

export interface Palette {
	text: string;
	muted: string;
	grid: string;
	background: string;
	/** The board's own scope and the organisation it is compared with. */
	scope: string;
	org: string;
	target: string;
	/** Heat ramp, low to high. */
	heat: string[];
	status: Record<Status, string>;
}

export const PALETTES: Record<ChartTheme, Palette> = {
	light: {
		text: '#1b1f24',
		muted: '#57606a',
		grid: '#d0d7de',
		background: '#ffffff',
		scope: '#0b62c4',
		org: '#8a5a00',
		target: '#6e7781',
		// Ends where dark text still reads (≥ 4.5:1), so cell labels need no outline.
		heat: ['#f6f8fa', '#fde2a8', '#f9b870', '#f08a6c', '#e66060'],
		status: { green: '#1a7f37', amber: '#b35900', red: '#c62828', none: '#6e7781' }
	},
	dark: {
		text: '#f0f3f6',
		muted: '#b1bac4',
		grid: '#3d444d',
		background: '#0d1117',
		scope: '#58a6ff',
		org: '#f2cc60',
		target: '#b1bac4',
		// Ends where light text still reads (≥ 4.5:1).
		heat: ['#161b22', '#3b2a12', '#6b3f10', '#9c2f3a', '#b8233a'],
		status: { green: '#3fb950', amber: '#f0a030', red: '#ff6b6b', none: '#8b949e' }
	}
};
