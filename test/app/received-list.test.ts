// The Received page's studies, tallied as instances arrive and fall out of the bounded list: the
// same as counting the instances in the list afresh, whatever falls out (a reference count below).

import { describe, expect, it } from 'vitest';
import { ReceivedList } from '../../src-main/app/received-list';
import type { ReceivedInstance } from '../../src-main/dicomnet/services/storage/store-scp';

function instance(n: number, rnd: () => number): ReceivedInstance {
  const study = `1.3.${Math.floor(rnd() * 6)}`;
  const series = `${study}.${Math.floor(rnd() * 3)}`;
  return {
    associationId: 1, callingAeTitle: ['CT1', 'MR2', 'US3'][Math.floor(rnd() * 3)]!, calledAeTitle: 'WS', remoteAddress: '10.0.0.1',
    sopClassUid: '1.2.840.10008.5.1.4.1.1.7', sopInstanceUid: `1.2.${n}`, transferSyntaxUid: '1.2.840.10008.1.2.1',
    studyInstanceUid: study, seriesInstanceUid: series, patientName: `P^${study}`, modality: ['CT', 'MR', 'OT'][Math.floor(rnd() * 3)]!,
    bytes: 1000 + n, path: rnd() < 0.1 ? undefined : `/data/received/${study}/${series}/1.2.${n}.dcm`, at: n,
  } as ReceivedInstance;
}

/** The studies counted afresh from the instances still in the list (what studies() did before). */
function reference(kept: readonly ReceivedInstance[]) {
  const by = new Map<string, ReceivedInstance[]>();
  for (const i of kept) by.set(i.studyInstanceUid!, [...(by.get(i.studyInstanceUid!) ?? []), i]);
  return [...by.entries()].map(([uid, list]) => ({
    studyInstanceUid: uid,
    instances: list.length,
    series: new Set(list.map((i) => i.seriesInstanceUid)).size,
    bytes: list.reduce((s, i) => s + i.bytes, 0),
    modalities: [...new Set(list.map((i) => i.modality))].sort(),
    callingAeTitles: [...new Set(list.map((i) => i.callingAeTitle))].sort(),
    lastReceivedAt: Math.max(...list.map((i) => i.at)),
  })).sort((a, b) => b.lastReceivedAt - a.lastReceivedAt);
}

describe('ReceivedList', () => {
  it.each([7, 50, 1000])('capacity %i: the tallied studies equal a fresh count of the instances kept', (capacity) => {
    let seed = capacity;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const list = new ReceivedList(capacity);
    const all: ReceivedInstance[] = [];
    for (let n = 0; n < 3000; n++) {
      const i = instance(n, rnd);
      all.push(i);
      list.add(i);
      if (n % 211 === 0 || n === 2999) {
        const got = list.studies().map((s) => ({ ...s, modalities: [...s.modalities].sort(), callingAeTitles: [...s.callingAeTitles].sort() }));
        expect(got.map(({ studyInstanceUid, instances, series, bytes, modalities, callingAeTitles, lastReceivedAt }) => ({ studyInstanceUid, instances, series, bytes, modalities, callingAeTitles, lastReceivedAt })))
          .toEqual(reference(all.slice(-capacity)));
        for (const s of got) if (s.folder) expect(s.folder).toBe(`/data/received/${s.studyInstanceUid}`);
      }
    }
  });

  it('a study whose instances all fell out is gone', () => {
    const list = new ReceivedList(2);
    const base = { associationId: 1, callingAeTitle: 'A', calledAeTitle: 'B', remoteAddress: 'x', sopClassUid: '1', transferSyntaxUid: '1', bytes: 1 };
    list.add({ ...base, sopInstanceUid: '1', studyInstanceUid: '9.1', at: 1 } as ReceivedInstance);
    list.add({ ...base, sopInstanceUid: '2', studyInstanceUid: '9.2', at: 2 } as ReceivedInstance);
    list.add({ ...base, sopInstanceUid: '3', studyInstanceUid: '9.2', at: 3 } as ReceivedInstance);
    expect(list.studies().map((s) => [s.studyInstanceUid, s.instances])).toEqual([['9.2', 2]]);
  });
});
