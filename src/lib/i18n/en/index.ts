// English catalogue: one file per area, merged here. Keys are `area.thing`.
import { common } from './common.ts';
import { measures } from './measures.ts';

export const en: Record<string, string> = { ...common, ...measures };
