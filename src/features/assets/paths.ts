/**
 * The platform serves GOV.UK Frontend's fonts and images under `/assets/` (its default asset
 * path), so an asset's own address only matches digits: `/assets/manifest.json` still reaches
 * the static files.
 */
export const ASSET_ID_PATH = '/assets/:id(^\\d+$)'
