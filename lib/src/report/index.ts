/** The shareable report (reports/index.html): assembles the stages' outputs and the charts. */
export * from './build';
export * from './no-types';
