import { EventFileTail } from '../tfevents/tail';
import type { TailFactory } from './scalarsReader';

/** The production tail factory: one incremental reader per event file. */
export const openEventTail: TailFactory = (file) => new EventFileTail(file);
