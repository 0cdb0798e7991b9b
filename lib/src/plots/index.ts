export * from './figure';
export * from './images';
export * from './prepare-charts';
export * from './cluster-charts';
export * from './cluster-sheets';
export * from './type-charts';
