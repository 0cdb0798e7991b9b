export * from './backend';
export * from './pool';
