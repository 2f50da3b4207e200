// Errors of the association layer. Each names the step that failed and says in plain words what
// happened and the likely fix (DEVELOPERS.md: errors name the step and the fix).

export type AssociationStep = 'resolve' | 'connect' | 'tls' | 'associate' | 'dimse' | 'release';

export class AssociationError extends Error {
  constructor(
    readonly step: AssociationStep,
    readonly code: string,
    /** One sentence for a person: what happened and the likely fix. */
    readonly plain: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(plain);
    this.name = 'AssociationError';
  }
}
