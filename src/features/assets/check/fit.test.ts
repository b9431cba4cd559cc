import { describe, expect, it } from 'vitest'
import { boundingBox, fitOf, fitRanges, FIT_CLASS, FIT_DIVISION, FIT_GROUP, FIT_SAME, haversineKm } from './fit.js'
import { codesForWords, cpvDepth, parseNeed } from './need.js'

describe('CPV fit from numeric ranges', () => {
  const minibus = [fitRanges('34114400')]
  it('ranks the code and those under it first, then its class, group and division', () => {
    expect(fitOf(34114400, minibus)).toBe(FIT_SAME)
    expect(fitOf(34114410, minibus)).toBe(FIT_SAME)
    expect(fitOf(34114000, minibus)).toBe(FIT_CLASS)
    expect(fitOf(34110000, minibus)).toBe(FIT_CLASS)
    expect(fitOf(34100000, minibus)).toBe(FIT_GROUP)
    expect(fitOf(34200000, minibus)).toBe(FIT_DIVISION)
    expect(fitOf(30213100, minibus)).toBe(0)
    expect(fitOf(-1, minibus)).toBe(0)
  })
  it('treats a division or group need as everything under it', () => {
    expect(fitOf(34114400, [fitRanges('34000000')])).toBe(FIT_SAME)
    expect(fitOf(34114400, [fitRanges('34100000')])).toBe(FIT_SAME)
    expect(fitOf(34200000, [fitRanges('34100000')])).toBe(FIT_DIVISION)
  })
  it('takes the best fit over several codes', () => {
    expect(fitOf(39130000, [fitRanges('34114400'), fitRanges('39100000')])).toBe(FIT_SAME)
    expect(cpvDepth('34000000')).toBe(2)
    expect(cpvDepth('34114400')).toBe(6)
  })
})

describe('distance and the bounding box', () => {
  it('measures great-circle kilometres', () => {
    // Manchester to Leeds: about 58 km as the crow flies.
    expect(haversineKm(53.4808, -2.2426, 53.8008, -1.5491)).toBeCloseTo(57.9, 0)
    expect(haversineKm(53, -2, 53, -2)).toBe(0)
  })
  it('holds every point on the circle, in each direction', () => {
    const box = boundingBox(53.4, -2.3, 25)
    for (let bearing = 0; bearing < 360; bearing += 15) {
      const b = (bearing * Math.PI) / 180
      const d = 25 / 6371.0088
      const lat1 = (53.4 * Math.PI) / 180
      const lat2 = Math.asin(Math.sin(lat1) * Math.cos(d) + Math.cos(lat1) * Math.sin(d) * Math.cos(b))
      const lon2 = (-2.3 * Math.PI) / 180 + Math.atan2(Math.sin(b) * Math.sin(d) * Math.cos(lat1), Math.cos(d) - Math.sin(lat1) * Math.sin(lat2))
      const [lat, lon] = [(lat2 * 180) / Math.PI, (lon2 * 180) / Math.PI]
      expect(haversineKm(53.4, -2.3, lat, lon)).toBeCloseTo(25, 6)
      expect(lat >= box.minLat && lat <= box.maxLat && lon >= box.minLon && lon <= box.maxLon, `bearing ${bearing}`).toBe(true)
    }
  })
  it('leaves longitude open near a pole', () => {
    expect(boundingBox(89.9, 0, 50)).toMatchObject({ minLon: -Infinity, maxLon: Infinity })
  })
})

describe('reading a need', () => {
  it('finds the best codes for words: labels starting with them, at the broadest level', () => {
    expect(codesForWords('minibus').codes).toEqual(['34114400'])
    expect(codesForWords('office furniture').codes).toEqual(['39130000'])
    expect(codesForWords('office furniture').alternatives.map((e) => e.code)).toContain('39000000')
    expect(codesForWords('zzqqxx')).toEqual({ codes: [], alternatives: [] })
  })
  it('defaults to the body’s place, 25 km, today and either kind', () => {
    const { need } = parseNeed({ cpv: '34114400-3' }, { bodyPlace: { lat: 53.4, lon: -2.3 }, today: '2026-03-02' })
    expect(need).toEqual({ cpvCodes: ['34114400'], words: null, assetClass: null, lat: 53.4, lon: -2.3, radiusKm: 25, place: 'body', from: '2026-03-02', kind: null })
    const given = parseNeed({ class: 'community', lat: '52', lon: '-1', radiusKm: '500', from: '02/04/2026', kind: 'transfer' }, { bodyPlace: { lat: 53.4, lon: -2.3 }, today: '2026-03-02' })
    expect(given.need).toMatchObject({ cpvCodes: [], assetClass: 'community', lat: 52, lon: -1, radiusKm: 500, place: 'given', from: '2026-04-02', kind: 'transfer' })
  })
})
