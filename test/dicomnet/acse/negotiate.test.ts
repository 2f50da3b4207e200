import { describe, expect, it } from 'vitest';
import { negotiate } from '../../../src-main/dicomnet/acse/negotiate';
import type { AcceptorPolicy } from '../../../src-main/dicomnet/acse/policy';
import type { AAssociateRq, UserInformation } from '../../../src-main/dicomnet/pdu/types';

const VERIFICATION = '1.2.840.10008.1.1';
const CT = '1.2.840.10008.5.1.4.1.1.2';
const IMPLICIT = '1.2.840.10008.1.2';
const EXPLICIT = '1.2.840.10008.1.2.1';
const JPEG = '1.2.840.10008.1.2.4.50';

const policy: AcceptorPolicy = {
  aeTitle: 'DICOMNET',
  supportedContexts: new Map([[VERIFICATION, [EXPLICIT, IMPLICIT]], [CT, [IMPLICIT]]]),
  maxPduLength: 65536,
  implementationClassUid: '1.2.3.4',
  implementationVersionName: 'TEST_1',
};

function ui(extra: Partial<UserInformation> = {}): UserInformation {
  return { maximumLength: 16384, implementationClassUid: '1.2.3', roleSelections: [], extendedNegotiations: [], commonExtendedNegotiations: [], unknownSubItems: [], ...extra };
}

function rq(extra: Partial<AAssociateRq> = {}): AAssociateRq {
  return {
    type: 0x01,
    protocolVersion: 1,
    calledAeTitle: 'DICOMNET',
    callingAeTitle: 'ECHOSCU',
    applicationContextName: '1.2.840.10008.3.1.1.1',
    presentationContexts: [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT, EXPLICIT] }],
    userInformation: ui(),
    ...extra,
  };
}

describe('negotiate: association-level rejections (PS3.8 Table 9-21)', () => {
  it.each([
    ['protocol version without bit 0', rq({ protocolVersion: 2 }), {}, [1, 2, 2]],
    ['unknown application context', rq({ applicationContextName: '1.2.3' }), {}, [1, 1, 2]],
    ['called AE title not ours', rq({ calledAeTitle: 'OTHER' }), {}, [1, 1, 7]],
    ['calling AE title not allowed', rq(), { allowedCallingAeTitles: ['MODALITY1'] }, [1, 1, 3]],
    ['too many associations', rq(), { maxAssociations: 2 }, [2, 3, 2]],
  ] as const)('%s', (_name, request, extra, [result, source, reason]) => {
    const out = negotiate(request, { ...policy, ...extra }, { activeAssociations: 2 });
    expect(out.accepted).toBe(false);
    if (out.accepted) return;
    expect([out.rj.result, out.rj.source, out.rj.reason]).toEqual([result, source, reason]);
    expect(out.explanation.length).toBeGreaterThan(10);
  });

  it('accepts a called AE title that differs only by padding, and an allowed calling AE', () => {
    const out = negotiate(rq({ calledAeTitle: ' DICOMNET  ' }), { ...policy, allowedCallingAeTitles: ['X', 'ECHOSCU'], maxAssociations: 3 }, { activeAssociations: 2 });
    expect(out.accepted).toBe(true);
  });

  it('is case sensitive for AE titles', () => {
    expect(negotiate(rq({ calledAeTitle: 'dicomnet' }), policy, { activeAssociations: 0 }).accepted).toBe(false);
  });
});

describe('negotiate: presentation contexts (PS3.8 Table 9-18)', () => {
  it('gives each context its own result and picks our preferred transfer syntax', () => {
    const out = negotiate(rq({
      presentationContexts: [
        { id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT, EXPLICIT] },
        { id: 3, abstractSyntax: '1.2.3.4.5', transferSyntaxes: [IMPLICIT] },
        { id: 5, abstractSyntax: CT, transferSyntaxes: [JPEG] },
        { id: 7, abstractSyntax: CT, transferSyntaxes: [EXPLICIT, IMPLICIT] },
      ],
    }), policy, { activeAssociations: 0 });
    expect(out.accepted).toBe(true);
    if (!out.accepted) return;
    expect(out.ac.presentationContexts.map((p) => [p.id, p.result, p.result === 0 ? p.transferSyntax : ''])).toEqual([
      [1, 0, EXPLICIT],
      [3, 3, ''],
      [5, 4, ''],
      [7, 0, IMPLICIT],
    ]);
    expect(out.ac.userInformation.maximumLength).toBe(65536);
    expect(out.ac.userInformation.implementationClassUid).toBe('1.2.3.4');
    expect(out.ac.userInformation.implementationVersionName).toBe('TEST_1');
    expect(out.ac.calledAeTitle).toBe('DICOMNET');
    expect(out.ac.callingAeTitle).toBe('ECHOSCU');
  });

  it("a rejected context answers with its first proposed transfer syntax when that is a UID, else the default one (PS3.8 §9.3.3.2)", () => {
    const out = negotiate(rq({
      presentationContexts: [
        { id: 1, abstractSyntax: '1.2.3.4.5', transferSyntaxes: [JPEG] },
        { id: 3, abstractSyntax: CT, transferSyntaxes: ['1.2.840.10\x0c\xe98.1.2.1', EXPLICIT] },
        { id: 5, abstractSyntax: '1.2.3\n4', transferSyntaxes: ['1.'.repeat(40)] },
      ],
    }), policy, { activeAssociations: 0 });
    expect(out.accepted).toBe(true);
    if (!out.accepted) return;
    expect(out.ac.presentationContexts.map((p) => [p.id, p.result, p.transferSyntax])).toEqual([
      [1, 3, JPEG],
      [3, 4, IMPLICIT],
      [5, 3, IMPLICIT],
    ]);
  });
});

describe('negotiate: user information sub-items (PS3.7 D.3.3)', () => {
  it('answers the asynchronous operations window only when proposed, never above either side', () => {
    const none = negotiate(rq(), { ...policy, asynchronousOperationsWindow: { maxOperationsInvoked: 5, maxOperationsPerformed: 5 } }, { activeAssociations: 0 });
    expect(none.accepted && none.ac.userInformation.asynchronousOperationsWindow).toBeUndefined();
    const proposed = rq({ userInformation: ui({ asynchronousOperationsWindow: { maxOperationsInvoked: 10, maxOperationsPerformed: 0 } }) });
    const out = negotiate(proposed, { ...policy, asynchronousOperationsWindow: { maxOperationsInvoked: 2, maxOperationsPerformed: 4 } }, { activeAssociations: 0 });
    expect(out.accepted && out.ac.userInformation.asynchronousOperationsWindow).toEqual({ maxOperationsInvoked: 4, maxOperationsPerformed: 2 });
    const sync = negotiate(proposed, policy, { activeAssociations: 0 });
    expect(sync.accepted && sync.ac.userInformation.asynchronousOperationsWindow).toEqual({ maxOperationsInvoked: 1, maxOperationsPerformed: 1 });
  });

  it('answers role selection: SCU role as proposed, SCP role only where the policy allows', () => {
    const request = rq({ userInformation: ui({ roleSelections: [
      { sopClassUid: CT, scuRole: 1, scpRole: 1 },
      { sopClassUid: VERIFICATION, scuRole: 0, scpRole: 1 },
      { sopClassUid: '9.9.9', scuRole: 1, scpRole: 1 },
    ] }) });
    const out = negotiate(request, { ...policy, acceptScpRoleFor: new Set([CT]) }, { activeAssociations: 0 });
    expect(out.accepted && out.ac.userInformation.roleSelections).toEqual([
      { sopClassUid: CT, scuRole: 1, scpRole: 1 },
      { sopClassUid: VERIFICATION, scuRole: 0, scpRole: 0 },
    ]);
  });

  it('returns no extended negotiation it does not understand, and answers user identity only when asked', () => {
    const identity = { type: 2, positiveResponseRequested: true, primaryField: new TextEncoder().encode('alice'), secondaryField: new TextEncoder().encode('pw') };
    const request = rq({ userInformation: ui({
      extendedNegotiations: [{ sopClassUid: CT, serviceClassApplicationInformation: new Uint8Array([1]) }],
      userIdentityRq: identity,
    }) });
    const out = negotiate(request, policy, { activeAssociations: 0 });
    expect(out.accepted).toBe(true);
    if (!out.accepted) return;
    expect(out.ac.userInformation.extendedNegotiations).toEqual([]);
    expect(out.ac.userInformation.userIdentityAc).toEqual({ serverResponse: new Uint8Array(0) });
    const quiet = negotiate(rq({ userInformation: ui({ userIdentityRq: { ...identity, positiveResponseRequested: false } }) }), policy, { activeAssociations: 0 });
    expect(quiet.accepted && quiet.ac.userInformation.userIdentityAc).toBeUndefined();
  });
});

describe('negotiate: which proposed transfer syntax a context gets', () => {
  const both = { ...policy, supportedContexts: new Map([[VERIFICATION, [EXPLICIT, IMPLICIT, JPEG]]]) };
  const request = rq({ presentationContexts: [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [JPEG, IMPLICIT, EXPLICIT] }] });
  const chosen = (p: AcceptorPolicy) => {
    const out = negotiate(request, p, { activeAssociations: 0 });
    return out.accepted ? out.ac.presentationContexts[0]?.transferSyntax : undefined;
  };

  it("by default our order of preference decides (PS3.8 §7.1.1.14)", () => {
    expect(chosen(both)).toBe(EXPLICIT);
  });

  it("with transferSyntaxChoice 'proposed' the requestor's order decides among those we accept", () => {
    expect(chosen({ ...both, transferSyntaxChoice: 'proposed' })).toBe(JPEG);
    expect(chosen({ ...both, supportedContexts: new Map([[VERIFICATION, [EXPLICIT, IMPLICIT]]]), transferSyntaxChoice: 'proposed' })).toBe(IMPLICIT);
  });
});
