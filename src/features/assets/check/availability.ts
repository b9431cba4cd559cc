import { todayInUk } from '../../../platform/uk-date.js'
import type { Db } from '../../../db/connection.js'
import { perDatabase } from '../../../db/per-database.js'
import type { PageRequest } from '../../../platform/pagination.js'
import { best } from '../../../platform/top-k.js'
import { openOffersFor, offerVisibleTo, type OpenOffer } from '../../sharing/open-offers.js'
import type { Asset } from '../model.js'
import type { AssetIndex } from '../search/asset-index.js'
import { assetSearchFor, assetsWithOwners } from '../search/search.js'
import { CLASS_NUMBER, STATUS_NUMBER } from '../search/vocabulary.js'
import { boundingBox, fitName, fitOf, fitRanges, FIT_SAME, haversineKm, type FitName } from './fit.js'
import type { Need } from './need.js'

/*
 * "Check before you buy": which assets of any body could meet a need instead of a purchase.
 * One loop over the in-memory index's columns (status, available, CPV code, place), ruling
 * assets out by the cheapest test first (a bounding box before any trigonometry, CPV fit by
 * numeric ranges), then a top-k of the candidates by fit and distance; only the page's rows are
 * read from the database.
 */

/** Statuses that make an asset a candidate without an offer: capital standing idle. */
const IDLE_STATUSES = ['underused', 'vacant', 'surplus'] as const
const MAX_PARTIAL_SORT = 1000

export interface AvailableOffer {
  id: string
  kind: OpenOffer['kind']
  pricePence: number | null
  availableFrom: string
  availableUntil: string | null
}

export interface AvailableAsset {
  asset: Asset
  owner: { id: string; slug: string; name: string }
  /** Kilometres from the need's place, to 0.1 km; null when the search is not around a place. */
  distanceKm: number | null
  fit: FitName
  /** The open offer it fits; null when there is none and the owner is to be asked. */
  offer: AvailableOffer | null
}

export interface AvailabilityPage {
  items: AvailableAsset[]
  total: number
  page: number
  pageSize: number
}

interface OfferPositions {
  /** The index's version the positions were worked out for. */
  version: string | undefined
  /** 1 where the asset at that position has an open offer. */
  offered: Uint8Array
  byPosition: Map<number, OpenOffer>
  candidates: Candidates
}

/**
 * Candidate positions, all of them and those with a CPV code by its division, each list in order
 * of latitude (unmapped last): a search for a code looks only at its division's, and a search
 * around a place only at the band of latitude its circle spans.
 */
interface Candidates {
  all: Int32Array
  byDivision: Map<number, Int32Array>
}

const NONE = new Int32Array(0)

function candidatesOf(positions: Int32Array, cpvCode: Int32Array, lat: Float64Array): Candidates {
  const byLatitude = (a: number, b: number) => {
    const x = lat[a]!
    const y = lat[b]!
    return Number.isNaN(x) ? (Number.isNaN(y) ? a - b : 1) : Number.isNaN(y) ? -1 : x - y || a - b
  }
  const all = Int32Array.from(positions).sort(byLatitude)
  const counts = new Int32Array(100)
  for (const i of all) if (cpvCode[i]! >= 0) counts[Math.floor(cpvCode[i]! / 1e6)]!++
  const byDivision = new Map<number, Int32Array>()
  const filled = new Int32Array(100)
  for (let d = 0; d < 100; d++) if (counts[d]! > 0) byDivision.set(d, new Int32Array(counts[d]!))
  // Taken from the sorted list, so each division's list is in order of latitude too.
  for (const i of all) {
    if (cpvCode[i]! < 0) continue
    const d = Math.floor(cpvCode[i]! / 1e6)
    byDivision.get(d)![filled[d]!++] = i
  }
  return { all, byDivision }
}

/** The first index in `list` (sorted by latitude, NaN last) whose latitude is at least `bound`. */
function firstAtLeast(list: Int32Array, lat: Float64Array, bound: number): number {
  let lo = 0
  let hi = list.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const x = lat[list[mid]!]!
    if (x < bound) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Finds assets fitting a need. One per process and database ({@link availabilityFor}). */
export class AvailabilitySearch {
  readonly index: AssetIndex
  private positions = new Int32Array(0)
  private fits = new Uint8Array(0)
  private distances = new Float64Array(0)
  private idle?: { version: string } & Candidates
  private readonly offerPositions = new WeakMap<ReadonlyMap<number, OpenOffer>, OfferPositions>()

  constructor(private readonly db: Db) {
    this.index = assetSearchFor(db).index
  }

  /**
   * A page of the assets that fit, best first. `viewer` is the searching body's id (null for
   * someone searching for no body): offers still in their owner-only window show only to the
   * owner's own members.
   */
  async search(need: Need, viewer: string | null, page: PageRequest, today = todayInUk()): Promise<AvailabilityPage> {
    const [version, offers] = await Promise.all([this.index.catchUp(), openOffersFor(this.db).current()])
    const { count, top } = this.rank(need, viewer, offers, page, today, version)
    const items = await this.rowsAt(top, offers, need.cpvCodes.length === 0)
    return { items, total: count, page: page.page, pageSize: page.pageSize }
  }

  /**
   * The ranking alone, in memory (the benchmark's subject): how many fit and the page's
   * positions with their fit and distance. `version` (the index's, from `catchUp`) lets the
   * list of idle assets be kept between searches.
   */
  rank(need: Need, viewer: string | null, offers: ReadonlyMap<number, OpenOffer>, page: PageRequest, today: string, version?: string): { count: number; top: { position: number; fit: number; distance: number }[] } {
    const ix = this.index
    this.ensureCapacity(ix.size)
    const { positions, fits, distances } = this
    const { cpvCode, assetClass, lat, lon, holder } = ix
    const { offered, byPosition, candidates: offeredCandidates } = this.offersByPosition(offers, version)
    const idle = this.idleAssets(version)

    const disposed = STATUS_NUMBER.get('disposed')!
    const ranges = need.cpvCodes.map(fitRanges)
    const byCode = ranges.length > 0
    const wantedClass = need.assetClass === null ? -1 : CLASS_NUMBER.get(need.assetClass)!
    const around = need.lat !== null && need.lon !== null
    const centreLat = need.lat ?? 0
    const centreLon = need.lon ?? 0
    const radius = need.radiusKm
    const box = around ? boundingBox(centreLat, centreLon, radius) : { minLat: -Infinity, maxLat: Infinity, minLon: -Infinity, maxLon: Infinity }
    const viewers = viewer ? [viewer] : []

    let n = 0
    /** Keeps the asset at position `i` if it fits; the cheapest tests first. */
    const consider = (i: number, offer: OpenOffer | undefined): void => {
      let fit = FIT_SAME
      if (byCode) {
        fit = fitOf(cpvCode[i]!, ranges)
        if (fit === 0) return
      }
      if (wantedClass >= 0 && assetClass[i] !== wantedClass) return
      let distance = NaN
      if (around) {
        const la = lat[i]!
        const lo = lon[i]!
        // Unmapped assets (NaN) fail these comparisons too.
        if (!(la >= box.minLat && la <= box.maxLat && lo >= box.minLon && lo <= box.maxLon)) return
        distance = haversineKm(centreLat, centreLon, la, lo)
        if (distance > radius) return
      }
      if (offer) {
        if (!offerFits(offer, need, viewers, today)) return
      } else if (holder[i]! >= 0) {
        // Out on loan to another body, and not offered for when it comes back.
        return
      }
      positions[n] = i
      fits[n] = fit
      distances[n] = distance
      n++
    }
    // Every fit shares at least the need's CPV division, and a place bounds the latitude.
    const divisions = [...new Set(need.cpvCodes.map((c) => Number(c.slice(0, 2))))]
    const listsOf = (candidates: Candidates) => (byCode ? divisions.map((d) => candidates.byDivision.get(d) ?? NONE) : [candidates.all])
    const each = (list: Int32Array, visit: (i: number) => void) => {
      const from = around ? firstAtLeast(list, lat, box.minLat) : 0
      const to = around ? firstAtLeast(list, lat, box.maxLat + Number.EPSILON) : list.length
      for (let k = from; k < to; k++) visit(list[k]!)
    }
    // Idle or marked available, and not offered: the owner is to be asked.
    for (const list of listsOf(idle)) {
      each(list, (i) => {
        if (offered[i] !== 1) consider(i, undefined)
      })
    }
    // Offered, whatever its status (an asset in use can be offered for when it is free).
    for (const list of listsOf(offeredCandidates)) {
      each(list, (i) => {
        if (ix.status[i] !== disposed) consider(i, byPosition.get(i))
      })
    }

    const ids = ix.ids
    const compare = (a: number, b: number) => fits[b]! - fits[a]! || distances[a]! - distances[b]! || ids[positions[a]!]! - ids[positions[b]!]!
    const offset = (page.page - 1) * page.pageSize
    const wanted = Math.min(n, offset + page.pageSize)
    const order = wanted > MAX_PARTIAL_SORT ? Int32Array.from({ length: n }, (_, k) => k).sort(compare) : best(n, wanted, compare)
    const top: { position: number; fit: number; distance: number }[] = []
    for (let k = offset; k < wanted; k++) {
      const c = order[k]!
      top.push({ position: positions[c]!, fit: fits[c]!, distance: distances[c]! })
    }
    return { count: n, top }
  }

  private async rowsAt(top: { position: number; fit: number; distance: number }[], offers: ReadonlyMap<number, OpenOffer>, byClassOnly: boolean): Promise<AvailableAsset[]> {
    const ids = top.map((t) => this.index.ids[t.position]!)
    const byId = await assetsWithOwners(this.db, ids)
    const items: AvailableAsset[] = []
    top.forEach((t, k) => {
      const found = byId.get(ids[k]!)
      if (!found) return
      const { owner, ...asset } = found
      const offer = offers.get(ids[k]!)
      items.push({
        asset,
        owner,
        distanceKm: Number.isNaN(t.distance) ? null : Math.round(t.distance * 10) / 10,
        fit: fitName(t.fit, byClassOnly),
        offer: offer ? { id: offer.id, kind: offer.kind, pricePence: offer.pricePence, availableFrom: offer.availableFrom, availableUntil: offer.availableUntil } : null,
      })
    })
    return items
  }

  /**
   * The positions of assets standing idle (underused, vacant, surplus) or marked available, not
   * disposed of: about one asset in eight, so most searches look at no others; and the same by
   * CPV division, so a search for a code looks only at its division's. Kept until the index changes.
   */
  private idleAssets(version: string | undefined): Candidates {
    if (version !== undefined && this.idle?.version === version) return this.idle
    const { size, status, available, cpvCode, lat } = this.index
    const idle = new Uint8Array(64)
    for (const s of IDLE_STATUSES) idle[STATUS_NUMBER.get(s)!] = 1
    const disposed = STATUS_NUMBER.get('disposed')!
    const found = new Int32Array(size)
    let n = 0
    for (let i = 0; i < size; i++) {
      const st = status[i]!
      if ((idle[st] === 1 || available[i] === 1) && st !== disposed) found[n++] = i
    }
    const made = candidatesOf(found.subarray(0, n), cpvCode, lat)
    if (version !== undefined) this.idle = { version, ...made }
    return made
  }

  /** Which positions have offers, worked out again only when the offers or the index change. */
  private offersByPosition(offers: ReadonlyMap<number, OpenOffer>, version: string | undefined): OfferPositions {
    const held = this.offerPositions.get(offers)
    if (held && version !== undefined && held.version === version) return held
    const { size, cpvCode, lat } = this.index
    const offered = new Uint8Array(size)
    const byPosition = new Map<number, OpenOffer>()
    for (const offer of offers.values()) {
      const at = this.index.positionOf(offer.assetId)
      if (at === undefined) continue
      offered[at] = 1
      byPosition.set(at, offer)
    }
    const made = { version, offered, byPosition, candidates: candidatesOf(Int32Array.from(byPosition.keys()), cpvCode, lat) }
    this.offerPositions.set(offers, made)
    return made
  }

  private ensureCapacity(size: number): void {
    if (this.positions.length >= size) return
    const capacity = Math.max(1024, size, this.positions.length * 2)
    this.positions = new Int32Array(capacity)
    this.fits = new Uint8Array(capacity)
    this.distances = new Float64Array(capacity)
  }
}

/**
 * Whether an open offer meets the need: seen by the searching body (the owner's own members
 * during its window, everyone after), of the right kind (a loan for a loan; a transfer or sale
 * for taking it over) and available on the day it is needed.
 */
export function offerFits(offer: OpenOffer, need: Pick<Need, 'kind' | 'from'>, viewers: readonly string[], today: string): boolean {
  if (!offerVisibleTo(offer, viewers, today)) return false
  if (need.kind === 'loan' && offer.kind !== 'loan') return false
  if (need.kind === 'transfer' && offer.kind === 'loan') return false
  if (offer.availableFrom > need.from) return false
  return offer.availableUntil === null || offer.availableUntil >= need.from
}

/** The availability search of a database: one per process, sharing the register's index. */
export const availabilityFor = perDatabase((db) => new AvailabilitySearch(db))
