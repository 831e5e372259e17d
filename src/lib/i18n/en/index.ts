// English catalogue: one file per area, merged here. Keys are `area.thing`.
import { common } from './common.ts';
import { measures } from './measures.ts';
import { board } from './board.ts';
import { wall } from './wall.ts';
import { scorecard } from './scorecard.ts';
import { drill } from './drill.ts';
import { auth } from './auth.ts';
import { admin } from './admin.ts';

export const en: Record<string, string> = {
	...common,
	...measures,
	...board,
	...wall,
	...scorecard,
	...drill,
	...auth,
	...admin
};
