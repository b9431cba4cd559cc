import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startPortal, type Portal } from '../../../test/fixtures/harvest/portal.js'
import { DEFAULT_LIMITS, fetchDocument, SourceError } from './fetch-source.js'

describe('fetching a catalogue', () => {
  let portal: Portal
  const limits = { ...DEFAULT_LIMITS, allowPrivateNetworks: true }
  beforeAll(async () => {
    portal = await startPortal()
  })
  afterAll(async () => {
    await portal?.close()
  })

  it('gets a document, following a redirect, and says where it ended up', async () => {
    const document = await fetchDocument(`${portal.url}/moved.json`, 'application/json', limits)
    expect(document.url).toBe(`${portal.url}/datajson/ny.data.json`)
    expect(document.contentType).toBe('application/json')
    expect(JSON.parse(document.text).dataset).toHaveLength(1)
  })

  it('names the HTTP status of a failed request', async () => {
    await expect(fetchDocument(`${portal.url}/missing.json`, 'application/json', limits)).rejects.toThrow(new SourceError(`${portal.url}/missing.json answered HTTP 404 Not Found`))
  })

  it('gives up on a slow server after the time limit', async () => {
    const started = Date.now()
    await expect(fetchDocument(`${portal.url}/slow.json`, 'application/json', { ...limits, timeoutMs: 300 })).rejects.toThrow(`${portal.url}/slow.json did not answer within 0.3 seconds`)
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it('refuses a document larger than the limit', async () => {
    await expect(fetchDocument(`${portal.url}/huge.json`, 'application/json', { ...limits, maxBytes: 10_000 })).rejects.toThrow(/huge\.json is larger than 10 KB, the most a harvest reads in one document/)
    await expect(fetchDocument(`${portal.url}/streamed.json`, 'application/json', { ...limits, maxBytes: 10_000 })).rejects.toThrow(/streamed\.json is larger than 10 KB/)
    // Within the limit, the same document is read.
    expect((await fetchDocument(`${portal.url}/huge.json`, 'application/json', { ...limits, maxBytes: 1_000_000 })).text.length).toBeGreaterThan(400_000)
  })

  it('says when nothing answers, and when the address is not a web address', async () => {
    const closed = await startPortal()
    const address = `${closed.url}/data.json`
    await closed.close()
    await expect(fetchDocument(address, 'application/json', limits)).rejects.toThrow(`${address} could not be reached: ECONNREFUSED`)
    await expect(fetchDocument('ftp://example.org/data.json', 'application/json', limits)).rejects.toThrow('ftp://example.org/data.json is not a web address starting https:// or http://')
    await expect(fetchDocument('data.json', 'application/json', limits)).rejects.toThrow('“data.json” is not a web address')
  })

  it('refuses this machine and private networks unless allowed, before sending anything', async () => {
    const before = portal.requests.length
    for (const address of [`${portal.url}/datajson/ny.data.json`, 'http://localhost:1/x', 'http://10.1.2.3/data.json', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]:8080/', 'http://[::ffff:127.0.0.1]/', 'http://192.168.0.10/']) {
      await expect(fetchDocument(address, 'application/json', DEFAULT_LIMITS), address).rejects.toThrow(/is on this machine or a private network: only public addresses can be harvested$/)
    }
    expect(portal.requests.length).toBe(before)
  })
})
