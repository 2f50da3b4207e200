import { describe, expect, it } from 'vitest';
import { DicomAssociate } from '../../src-main/dicomnet/association';
import type { AcceptorPolicy } from '../../src-main/dicomnet/acse/policy';

const VERIFICATION = '1.2.840.10008.1.1';
const IMPLICIT = '1.2.840.10008.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';

const policy: AcceptorPolicy = {
  aeTitle: 'SCP',
  supportedContexts: new Map([[VERIFICATION, [IMPLICIT]]]),
  maxPduLength: 32768,
  implementationClassUid: '1.2.9',
  implementationVersionName: 'SCP_1',
};

describe('DicomAssociate', () => {
  it('numbers proposed contexts 1, 3, 5... and round-trips through an RQ', () => {
    const a = new DicomAssociate({
      callingAeTitle: 'SCU',
      calledAeTitle: 'SCP',
      presentationContexts: [
        { abstractSyntax: VERIFICATION, transferSyntaxes: [EXPLICIT, IMPLICIT] },
        { abstractSyntax: '1.2.3', transferSyntaxes: [IMPLICIT] },
      ],
      maxPduLength: 4096,
      asynchronousOperationsWindow: { maxOperationsInvoked: 3, maxOperationsPerformed: 1 },
    });
    expect(a.presentationContexts.map((p) => p.id)).toEqual([1, 3]);
    const back = DicomAssociate.fromRq(a.toRq());
    expect(back.toRq()).toEqual(a.toRq());
    expect(back.requestorMaxPduLength).toBe(4096);
  });

  it('refuses more than 128 contexts (PC-IDs are odd numbers up to 255)', () => {
    const many = Array.from({ length: 129 }, () => ({ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }));
    expect(() => new DicomAssociate({ callingAeTitle: 'A', calledAeTitle: 'B', presentationContexts: many })).toThrow(/128/);
  });

  it('resets a received request into an accept under a policy, and the requestor reads it back', () => {
    const scu = new DicomAssociate({
      callingAeTitle: 'SCU',
      calledAeTitle: 'SCP',
      presentationContexts: [
        { abstractSyntax: VERIFICATION, transferSyntaxes: [EXPLICIT, IMPLICIT] },
        { abstractSyntax: '1.2.3', transferSyntaxes: [IMPLICIT] },
      ],
    });
    const received = DicomAssociate.fromRq(scu.toRq());
    const outcome = received.resetToAccept(policy, { activeAssociations: 0 });
    expect(outcome.accepted).toBe(true);
    expect(received.presentationContexts.map((p) => [p.id, p.result, p.transferSyntax])).toEqual([[1, 0, IMPLICIT], [3, 3, undefined]]);
    scu.applyAc(received.toAc());
    expect(scu.findAcceptedContext(VERIFICATION)?.transferSyntax).toBe(IMPLICIT);
    expect(scu.findAcceptedContext('1.2.3')).toBeUndefined();
    expect(scu.acceptorMaxPduLength).toBe(32768);
    expect(scu.acceptorImplementationVersionName).toBe('SCP_1');
    expect(scu.maxInvokedByRequestor()).toBe(1);
  });

  it('leaves the model untouched when the policy rejects', () => {
    const received = DicomAssociate.fromRq(new DicomAssociate({ callingAeTitle: 'SCU', calledAeTitle: 'WRONG', presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }] }).toRq());
    const outcome = received.resetToAccept(policy, { activeAssociations: 0 });
    expect(outcome.accepted).toBe(false);
    expect(received.presentationContexts[0]?.result).toBeUndefined();
  });

  it('treats a context the AC left out as rejected', () => {
    const scu = new DicomAssociate({ callingAeTitle: 'SCU', calledAeTitle: 'SCP', presentationContexts: [{ abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT] }, { abstractSyntax: '1.2.3', transferSyntaxes: [IMPLICIT] }] });
    const received = DicomAssociate.fromRq(scu.toRq());
    received.resetToAccept(policy, { activeAssociations: 0 });
    const ac = received.toAc();
    scu.applyAc({ ...ac, presentationContexts: ac.presentationContexts.slice(0, 1) });
    expect(scu.context(3)?.result).toBe(2);
  });
});
