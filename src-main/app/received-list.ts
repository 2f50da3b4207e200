// Instances received by the local node, grouped by study for the GUI's Received page (patient,
// study date, modality, count, folder). Bounded like the activity log.

import { dirname } from 'node:path';
import type { ReceivedStudy } from '../../src-shared/models';
import type { ReceivedInstance } from '../dicomnet/services/storage/store-scp';
import { BoundedList } from './bounded-list';

export class ReceivedList {
  private readonly instances: BoundedList<ReceivedInstance>;

  constructor(capacity = 100_000) {
    this.instances = new BoundedList(capacity);
  }

  add(i: ReceivedInstance): void {
    this.instances.push(i);
  }

  /** Studies, the most recently received first. */
  studies(): ReceivedStudy[] {
    const byStudy = new Map<string, { study: ReceivedStudy; series: Set<string> }>();
    for (const i of this.instances) {
      const key = i.studyInstanceUid ?? '(no study)';
      const entry = byStudy.get(key);
      const folder = i.path ? dirname(dirname(i.path)) : undefined;
      if (!entry) {
        byStudy.set(key, {
          series: new Set([i.seriesInstanceUid ?? '']),
          study: {
            studyInstanceUid: key, patientName: i.patientName, patientId: i.patientId, studyDate: i.studyDate,
            modalities: i.modality ? [i.modality] : [], instances: 1, series: 1, bytes: i.bytes, folder,
            callingAeTitles: [i.callingAeTitle], lastReceivedAt: i.at,
          },
        });
        continue;
      }
      entry.series.add(i.seriesInstanceUid ?? '');
      const s = entry.study;
      entry.study = {
        ...s,
        modalities: i.modality && !s.modalities.includes(i.modality) ? [...s.modalities, i.modality] : s.modalities,
        instances: s.instances + 1,
        series: entry.series.size,
        bytes: s.bytes + i.bytes,
        callingAeTitles: s.callingAeTitles.includes(i.callingAeTitle) ? s.callingAeTitles : [...s.callingAeTitles, i.callingAeTitle],
        lastReceivedAt: Math.max(s.lastReceivedAt, i.at),
        folder: s.folder ?? folder,
      };
    }
    return [...byStudy.values()].map((e) => e.study).sort((a, b) => b.lastReceivedAt - a.lastReceivedAt);
  }
}
