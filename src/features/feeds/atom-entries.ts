import { formatDate } from '../../platform/views.js'
import { formatPlannedDate } from '../datasets/dates.js'
import type { DatasetSearchItem } from '../datasets/search.js'
import { ACCESS_LEVELS, ACCESS_REASONS, DATASET_STATUSES, THEME_URI, THEMES, labelOf, type DatePrecision } from '../datasets/vocabularies.js'
import type { AtomEntry } from './atom.js'
import type { ReleaseChangeFeedRow } from './release-queries.js'

/*
 * What each Atom entry says. Entry ids are `tag:` URIs (RFC 4151) minted from the host and the
 * day the thing came to be, so they stay the same however often the feed is read: a changed
 * declaration is the same entry with a later `updated`; each release event is an entry of its own.
 */

export function tagUri(host: string, date: string, specific: string): string {
  return `tag:${host},${date.slice(0, 10)}:${specific}`
}

/** A declaration as a feed entry, newest version. */
export function datasetEntry(item: DatasetSearchItem, baseUrl: string, host: string): AtomEntry {
  const page = `${baseUrl}/datasets/${item.id}`
  const access = labelOf(ACCESS_LEVELS, item.accessLevel)
  const facts = [
    `${labelOf(DATASET_STATUSES, item.status)} dataset from ${item.publisher.name}.`,
    item.accessLevel === 'open' ? 'Open.' : `${access}: ${labelOf(ACCESS_REASONS, item.accessReason)}.`,
    item.nextReleaseDate ? `Next release planned from ${formatDate(item.nextReleaseDate)}.` : '',
  ]
  return {
    id: tagUri(host, item.createdAt, `dataset:${item.id}`),
    title: item.title,
    updated: item.updatedAt,
    published: item.createdAt,
    authors: [{ name: item.publisher.name, uri: `${baseUrl}/organisations/${item.publisher.slug}` }],
    links: [
      { rel: 'alternate', type: 'text/html', href: page },
      { rel: 'alternate', type: 'application/json', href: `${page}/data.json`, title: 'Project Open Data entry' },
    ],
    categories: item.themes.map((code) => ({ term: code, scheme: THEME_URI, label: labelOf(THEMES, code) })),
    summary: facts.filter(Boolean).join(' '),
    content: item.description,
  }
}

type ChangeKind = 'released' | 'cancelled' | 'rescheduled'

function kindOf(row: ReleaseChangeFeedRow): ChangeKind {
  if (row.to_state === 'cancelled') return 'cancelled'
  if (row.to_state === 'released') return 'released'
  return 'rescheduled'
}

const planned = (date: string | null, precision: string | null) => (date ? formatPlannedDate({ date, precision: (precision ?? 'day') as DatePrecision }) : '')

/** A release that happened, moved or was cancelled, as a feed entry. */
export function releaseChangeEntry(row: ReleaseChangeFeedRow, baseUrl: string, host: string): AtomEntry {
  const kind = kindOf(row)
  const to = planned(row.to_date, row.to_precision)
  const from = planned(row.from_date, row.from_precision)
  const what = `“${row.dataset_title}”`
  const sentence = {
    released: `${row.publisher_name} released ${what}, planned for ${to}.`,
    cancelled: `${row.publisher_name} cancelled the release of ${what} planned for ${from || to}.`,
    rescheduled: `${row.publisher_name} moved the release of ${what}, planned for ${from}, to ${to}.`,
  }[kind]
  const heading = { released: 'Released', cancelled: 'Release cancelled', rescheduled: `Release moved to ${to}` }[kind]
  return {
    id: tagUri(host, row.changed_at, `release-change:${row.id}`),
    title: `${heading}: ${row.dataset_title}`,
    updated: row.changed_at,
    published: row.changed_at,
    authors: [{ name: row.publisher_name, uri: `${baseUrl}/organisations/${row.publisher_slug}` }],
    links: [{ rel: 'alternate', type: 'text/html', href: `${baseUrl}/datasets/${row.dataset_id}` }],
    categories: [{ term: kind }],
    summary: row.note ? `${sentence} ${row.note}` : sentence,
  }
}
