import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'

/** The catalogue itself could not be read: the message says why, for the report. */
export class SourceError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SourceError'
  }
}

export interface FetchLimits {
  /** For each request, body included. */
  timeoutMs: number
  /** For each document. */
  maxBytes: number
  /**
   * Whether addresses on this machine or a private network may be read. Pages refuse them, so
   * an editor cannot make the server read what only it can reach (cloud metadata, admin
   * ports); the `lgds` command, run by the operator, allows them.
   */
  allowPrivateNetworks: boolean
}

export const DEFAULT_LIMITS: FetchLimits = { timeoutMs: 30_000, maxBytes: 50 * 1024 * 1024, allowPrivateNetworks: false }

export interface FetchedDocument {
  text: string
  contentType: string
  /** Where the document was found, after any redirects. */
  url: string
}

const MAX_REDIRECTS = 5

const PRIVATE = new BlockList()
for (const [address, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  PRIVATE.addSubnet(address, prefix, 'ipv4')
}
for (const [address, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(address, prefix, 'ipv6')
}

function isPrivate(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return PRIVATE.check(mapped[1]!, 'ipv4')
  return PRIVATE.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')
}

async function refusePrivate(url: URL): Promise<void> {
  const host = url.hostname.replace(/^\[|\]$/g, '')
  let addresses: string[]
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address)
  } catch {
    throw new SourceError(`${url.host} could not be found: check the address`)
  }
  if (addresses.some(isPrivate)) throw new SourceError(`${url.host} is on this machine or a private network: only public addresses can be harvested`)
}

function failure(url: URL, error: unknown, timeoutMs: number): SourceError {
  if (error instanceof SourceError) return error
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string } }
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return new SourceError(`${url.href} did not answer within ${timeoutMs / 1000} seconds`)
  return new SourceError(`${url.href} could not be reached: ${e.cause?.code ?? e.cause?.message ?? e.message ?? 'unknown error'}`)
}

/** Reads the body, refusing it as soon as it is larger than allowed rather than after. */
async function readLimited(response: Response, url: URL, maxBytes: number): Promise<Buffer> {
  const most = maxBytes >= 1024 * 1024 ? `${Math.round(maxBytes / 1024 / 1024)} MB` : `${Math.round(maxBytes / 1024)} KB`
  const tooLarge = () => new SourceError(`${url.href} is larger than ${most}, the most a harvest reads in one document`)
  const declared = Number(response.headers.get('content-length') ?? '')
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {})
    throw tooLarge()
  }
  if (!response.body) return Buffer.alloc(0)
  const reader = response.body.getReader()
  const chunks: Buffer[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      throw tooLarge()
    }
    chunks.push(Buffer.from(value))
  }
  return Buffer.concat(chunks)
}

/** Text of a file or a response: UTF-8, without a byte order mark. */
export function decodeText(bytes: Buffer): string {
  return new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '')
}

/**
 * Gets one document with Node's fetch: a time limit, a size limit, redirects followed (and
 * checked) one by one, and an error that says what went wrong.
 */
export async function fetchDocument(address: string, accept: string, limits: FetchLimits): Promise<FetchedDocument> {
  let url: URL
  try {
    url = new URL(address)
  } catch {
    throw new SourceError(`“${address}” is not a web address`)
  }
  for (let redirects = 0; redirects <= MAX_REDIRECTS; redirects += 1) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new SourceError(`${url.href} is not a web address starting https:// or http://`)
    if (!limits.allowPrivateNetworks) await refusePrivate(url)
    let response: Response
    try {
      response = await fetch(url, {
        headers: { accept, 'user-agent': 'LGDS-harvester/1' },
        redirect: 'manual',
        signal: AbortSignal.timeout(limits.timeoutMs),
      })
    } catch (error) {
      throw failure(url, error, limits.timeoutMs)
    }
    const location = response.headers.get('location')
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel().catch(() => {})
      url = new URL(location, url)
      continue
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => {})
      throw new SourceError(`${url.href} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`)
    }
    try {
      const bytes = await readLimited(response, url, limits.maxBytes)
      return { text: decodeText(bytes), contentType: (response.headers.get('content-type') ?? '').toLowerCase(), url: url.href }
    } catch (error) {
      throw failure(url, error, limits.timeoutMs)
    }
  }
  throw new SourceError(`${address} redirected more than ${MAX_REDIRECTS} times`)
}

/** JSON from a document, or an error saying it is not JSON (and what it looks like instead). */
export function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    const looksLike = /^\s*</.test(text) ? ' (it looks like a web page or XML)' : ''
    throw new SourceError(`${where} is not JSON${looksLike}: ${(error as Error).message}`)
  }
}
