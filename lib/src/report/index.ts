/**
 * The shareable report (reports/index.html) and offline notebook exports.
 */
export * from './build';
