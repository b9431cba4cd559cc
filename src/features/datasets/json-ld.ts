import type { Distribution } from './model.js'
import type { DatasetDetail } from './service.js'
import { DATASET_STATUSES, LICENCES, labelOf } from './vocabularies.js'

/** The dataset as schema.org `Dataset`, which search engines read from the page. */
export function datasetJsonLd({ dataset, publisher, distributions }: DatasetDetail, baseUrl: string): Record<string, unknown> {
  const licence = LICENCES.find((l) => l.code === dataset.licence)
  const temporal = dataset.temporalStart || dataset.temporalEnd ? `${dataset.temporalStart ?? '..'}/${dataset.temporalEnd ?? '..'}` : undefined
  return {
    '@context': 'https://schema.org',
    '@type': 'Dataset',
    '@id': dataset.identifier,
    name: dataset.title,
    description: dataset.description,
    url: `${baseUrl}/datasets/${dataset.id}`,
    identifier: dataset.identifier,
    keywords: dataset.keywords,
    license: licence?.url ?? dataset.licence,
    publisher: {
      '@type': 'GovernmentOrganization',
      name: publisher.name,
      url: `${baseUrl}/organisations/${publisher.slug}`,
      ...(publisher.identifier ? { identifier: publisher.identifier } : {}),
      ...(dataset.contactEmail
        ? { contactPoint: { '@type': 'ContactPoint', ...(dataset.contactName ? { name: dataset.contactName } : {}), email: dataset.contactEmail } }
        : {}),
    },
    ...(temporal ? { temporalCoverage: temporal } : {}),
    ...(dataset.spatial
      ? { spatialCoverage: { '@type': 'Place', identifier: dataset.spatial, sameAs: `http://statistics.data.gov.uk/id/statistical-geography/${dataset.spatial}` } }
      : {}),
    distribution: distributions.map((d: Distribution) => ({
      '@type': 'DataDownload',
      name: d.title,
      contentUrl: d.downloadUrl ?? d.accessUrl,
      ...(d.mediaType || d.format ? { encodingFormat: d.mediaType ?? d.format } : {}),
      ...(d.byteSize !== null ? { contentSize: `${d.byteSize} B` } : {}),
    })),
    isAccessibleForFree: dataset.accessLevel === 'open',
    ...(dataset.accessLevel !== 'open' && dataset.accessExplanation ? { conditionsOfAccess: dataset.accessExplanation } : {}),
    creativeWorkStatus: labelOf(DATASET_STATUSES, dataset.status),
    dateCreated: dataset.createdAt,
    dateModified: dataset.updatedAt,
    ...(dataset.publishedAt ? { datePublished: dataset.publishedAt } : {}),
  }
}

/**
 * JSON for inside a `<script>` element: `<` (so no `</script>` or `<!--` in a title can end
 * it), `>`, `&` and the two line separators JavaScript once rejected are written as escapes,
 * which JSON parsers read back unchanged.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}
