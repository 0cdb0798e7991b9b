/**
 * Photo sources: the WIKI dataset (download, metadata, pre-filter), any folder of photos, and the
 * embedded demo, all behind one PhotoSource interface; plus the MAT-file reader WIKI needs.
 */
export * from './types';
export {
  parseMat, readMatFile, matField, matNumbers, matCell, matStrings,
  type MatValue, type MatNumeric, type MatChar, type MatCell, type MatStruct, type MatNumericClass,
  type MatHeader, type MatFile,
} from './mat';
export {
  downloadFile, extractTar, formatProgress, formatBytes, terminalProgress,
  DownloadError, DOWNLOAD_DEFAULTS, EXTRACT_DEFAULTS,
  type TransferProgress, type DownloadOptions, type DownloadResult, type ExtractOptions, type ExtractResult,
} from './download';
export {
  WIKI_URL, MATLAB_EPOCH_DATENUM, WIKI_METADATA_DEFAULTS, WIKI_FILTER_DEFAULTS, WIKI_DOWNLOAD_DEFAULTS,
  WIKI_SOURCE_DEFAULTS, WIKI_REJECT_NO_FACE, WIKI_REJECT_FILE_MISSING,
  matlabDateToIso, matlabDatenum, wikiAge, readWikiMetadata, wikiPreReject, prefilterWiki, wikiPaths,
  ensureWikiDownloaded, wikiSource,
  type WikiRow, type WikiMetadataOptions, type WikiFilterOptions, type WikiPrefilterResult,
  type WikiLocationOptions, type WikiDownloadOptions, type WikiPaths, type WikiDownloadResult, type WikiSourceOptions,
} from './wiki';
export {
  folderSource, isImageFileName, nonImageReason, findImageFile, IMAGE_EXTENSIONS, FOLDER_DEFAULTS,
  type FolderSourceOptions,
} from './folder';
export { demoSource, demoPhotosDir, DEMO_PHOTOS } from './demo';
export { markExactDuplicates, duplicateReason, fileSha256 } from './duplicates';
export { resolveSource, summarizeSource, RESOLVE_DEFAULTS, type ResolveSourceOptions } from './resolve';
export * from './open';
