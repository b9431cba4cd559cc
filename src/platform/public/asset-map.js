// The asset map: progressive enhancement of the register's list (every page works without it).
// Leaflet (served from /vendor/leaflet/) draws the tiles; the server clusters the markers, so the
// browser never holds more than a few hundred of them.

/* global L */

const MAX_LAT = 85

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

async function tileSettings(element) {
  if (element.dataset.tiles) return { url: element.dataset.tiles, attribution: element.dataset.attribution ?? '' }
  const response = await fetch('/assets/map/tiles.json', { headers: { accept: 'application/json' } })
  return response.ok ? response.json() : null
}

/** Tiles are decoration: markers and their links work when the tile server cannot be reached. */
async function addTiles(map, element) {
  const settings = await tileSettings(element).catch(() => null)
  if (settings) L.tileLayer(settings.url, { attribution: settings.attribution, maxZoom: 19, subdomains: 'abc' }).addTo(map)
}

function clamp(value, min, max) {
  return Math.min(max, Math.max(min, value))
}

function bboxOf(map) {
  const b = map.getBounds()
  return [clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -MAX_LAT, MAX_LAT), clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -MAX_LAT, MAX_LAT)]
    .map((n) => n.toFixed(5))
    .join(',')
}

/** The address with the view's box, relative, its commas left readable. */
function withBbox(address, bbox) {
  const url = new URL(address, window.location.href)
  url.searchParams.set('bbox', bbox)
  url.searchParams.delete('page')
  return `${url.pathname}${url.search.replace(/%2C/g, ',')}`
}

function clusterIcon(count) {
  const size = count < 10 ? 32 : count < 100 ? 38 : count < 1000 ? 44 : 52
  return L.divIcon({ className: 'app-asset-map__cluster', html: `<span>${count.toLocaleString('en-GB')}</span>`, iconSize: [size, size] })
}

const assetIcon = () => L.divIcon({ className: 'app-asset-map__asset', iconSize: [16, 16] })

function startSearchMap(element) {
  const [minLon, minLat, maxLon, maxLat] = element.dataset.bbox.split(',').map(Number)
  element.textContent = ''
  const map = L.map(element, { keyboard: true })
  map.fitBounds([
    [minLat, minLon],
    [maxLat, maxLon],
  ])
  addTiles(map, element)
  const layer = L.layerGroup().addTo(map)
  const status = document.getElementById('asset-map-status')
  const listLink = document.getElementById('asset-list-link')
  const filters = new URL(element.dataset.features, window.location.origin)
  let inFlight

  async function refresh() {
    inFlight?.abort()
    inFlight = new AbortController()
    const bbox = bboxOf(map)
    const url = new URL(filters)
    url.searchParams.set('bbox', bbox)
    url.searchParams.set('zoom', String(map.getZoom()))
    let collection
    try {
      const response = await fetch(url, { signal: inFlight.signal, headers: { accept: 'application/geo+json' } })
      if (!response.ok) throw new Error(`status ${response.status}`)
      collection = await response.json()
    } catch (error) {
      if (error.name === 'AbortError') return
      if (status) status.textContent = 'The assets could not be loaded. Try again, or view them as a list.'
      return
    }
    layer.clearLayers()
    for (const feature of collection.features) {
      const [lon, lat] = feature.geometry.coordinates
      const p = feature.properties
      if (p.cluster) {
        const marker = L.marker([lat, lon], { icon: clusterIcon(p.count), title: `${p.count} assets: zoom in`, alt: `${p.count} assets`, riseOnHover: true })
        const [w, s, e, n] = feature.bbox
        marker.on('click', () => (w === e && s === n ? map.setView([lat, lon], Math.min(map.getZoom() + 3, 19)) : map.fitBounds([[s, w], [n, e]], { padding: [24, 24] })))
        marker.on('keypress', (event) => event.originalEvent.key === 'Enter' && marker.fire('click'))
        layer.addLayer(marker)
      } else {
        const marker = L.marker([lat, lon], { icon: assetIcon(), title: p.name, alt: p.name })
        marker.bindPopup(`<a class="govuk-link" href="${escapeHtml(p.href)}">${escapeHtml(p.name)}</a>`)
        layer.addLayer(marker)
      }
    }
    const total = collection.total.toLocaleString('en-GB')
    if (status) status.textContent = `${total} ${collection.total === 1 ? 'asset' : 'assets'} in this part of the map.`
    // The list of what is in view, and this view as an address to share.
    window.history.replaceState(null, '', withBbox(window.location.href, bbox))
    if (listLink) {
      listLink.setAttribute('href', withBbox(listLink.href, bbox))
      listLink.textContent = 'View the assets in this part of the map as a list'
    }
  }

  map.on('moveend', refresh)
  refresh()
}

function startLocationMap(element) {
  const lat = Number(element.dataset.lat)
  const lon = Number(element.dataset.lon)
  const map = L.map(element, { scrollWheelZoom: false }).setView([lat, lon], 16)
  addTiles(map, element)
  L.marker([lat, lon], { icon: assetIcon(), title: element.dataset.name, alt: element.dataset.name }).addTo(map)
}

if (window.L) {
  const search = document.getElementById('asset-map')
  if (search) startSearchMap(search)
  const location = document.getElementById('asset-location')
  if (location) startLocationMap(location)
}
