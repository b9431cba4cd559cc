import { newId } from '../../platform/crypto.js'
import type { DistributionRow } from './repository.js'
import { validateDistribution, type DeclarationValues, type DistributionInput } from './validation.js'

/** A declaration's stored columns (everything but identity, status and bookkeeping). */
export function columnsOf(values: DeclarationValues) {
  return {
    reference: values.reference,
    title: values.title,
    description: values.description,
    keywords: JSON.stringify(values.keywords),
    themes: JSON.stringify(values.themes),
    access_level: values.accessLevel,
    access_reason: values.accessReason,
    access_explanation: values.accessExplanation,
    licence: values.licence,
    frequency: values.frequency,
    temporal_start: values.temporalStart,
    temporal_end: values.temporalEnd,
    spatial: values.spatial,
    contact_name: values.contactName,
    contact_email: values.contactEmail,
  }
}

/** A distribution's row, from input that has passed validation. */
export function distributionRow(datasetId: string, input: DistributionInput, releaseId: string | null, now: string): DistributionRow {
  const { values } = validateDistribution(input)
  return {
    id: newId(),
    dataset_id: datasetId,
    title: values!.title,
    access_url: values!.accessUrl,
    download_url: values!.downloadUrl,
    format: values!.format,
    media_type: values!.mediaType,
    byte_size: values!.byteSize,
    release_id: releaseId,
    created_at: now,
  }
}
