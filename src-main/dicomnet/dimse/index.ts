export * from './command-fields';
export * from './command-set';
export * from './messages';
export * from './fragmenter';
export * from './assembler';
export * from './dataset';
