export * from './csv';
export * from './frame';
