import { isUtf8 } from 'node:buffer'
import { createReadStream, statSync } from 'node:fs'

/*
 * Reading CSV files people upload: which encoding a spreadsheet saved them in, whether they are
 * CSV at all, and where each record starts. Shared by every CSV import (datasets, assets).
 */

const SPREADSHEET_PROBLEM = 'This is a spreadsheet workbook, not a CSV file: save it as “CSV UTF-8 (comma delimited)” and upload that'
const UTF16_PROBLEM = 'This file is UTF-16 text: save it as “CSV UTF-8 (comma delimited)” and upload that'

/** Why the first bytes of a file show it is not CSV text we can read, if they do. */
export function notCsvProblem(start: Buffer): string | undefined {
  if (start.length >= 4 && start.readUInt32BE(0) === 0x504b0304) return SPREADSHEET_PROBLEM
  if (start.length >= 2 && ((start[0] === 0xff && start[1] === 0xfe) || (start[0] === 0xfe && start[1] === 0xff))) return UTF16_PROBLEM
  return undefined
}

function withoutBom(bytes: Buffer): Buffer {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes
}

/**
 * The file's text as UTF-8 bytes without a byte order mark. Spreadsheets on Windows still save
 * "CSV" as Windows-1252, so bytes that are not valid UTF-8 are read as that.
 */
export function decodeCsv(bytes: Buffer): { text: Buffer; encoding: 'utf-8' | 'windows-1252' } | { problem: string } {
  const problem = notCsvProblem(bytes)
  if (problem) return { problem }
  const body = withoutBom(bytes)
  if (isUtf8(body)) return { text: body, encoding: 'utf-8' }
  return { text: Buffer.from(decodeWindows1252(body), 'utf8'), encoding: 'windows-1252' }
}

/*
 * Windows-1252 puts printable characters (€ ‘ ’ “ ” – …) where ISO-8859-1 has control codes.
 * Node 20's TextDecoder decodes the 'windows-1252' label as ISO-8859-1, so those bytes are
 * mapped here; on a Node that gets it right, this changes nothing.
 */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ'

export function decodeWindows1252(bytes: Buffer): string {
  return new TextDecoder('windows-1252').decode(bytes).replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!)
}

// ---- streaming ----

/** A CSV file that can be read more than once, a chunk at a time (a file on disk, or an upload in memory). */
export interface CsvSource {
  /** Its size in bytes, for progress. */
  size: number
  open(): AsyncIterable<Buffer>
  /** The whole file, when it is already in memory. */
  bytes?: Buffer
}

const FILE_CHUNK = 256 * 1024

export function bufferSource(bytes: Buffer): CsvSource {
  return {
    size: bytes.length,
    bytes,
    async *open() {
      for (let offset = 0; offset < bytes.length; offset += FILE_CHUNK) yield bytes.subarray(offset, offset + FILE_CHUNK)
    },
  }
}

/** A file on disk, read in chunks so that a file of millions of rows never sits in memory. Throws if it cannot be read. */
export function fileSource(file: string): CsvSource {
  const { size } = statSync(file)
  return { size, open: () => createReadStream(file, { highWaterMark: FILE_CHUNK }) }
}

export interface CsvText {
  encoding: 'utf-8' | 'windows-1252'
  /** The text as UTF-8 bytes, without a byte order mark, in chunks. */
  chunks: AsyncIterable<Buffer>
}

/**
 * Works out the file's encoding (UTF-8 unless some bytes are not, then Windows-1252) and gives
 * its text as UTF-8 chunks. A file on disk is read twice: once to check every byte, once to
 * import, rather than held in memory.
 */
export async function openCsvText(source: CsvSource): Promise<CsvText | { problem: string }> {
  const start = await firstBytes(source, 4)
  const problem = notCsvProblem(start)
  if (problem) return { problem }
  const utf8 = source.bytes ? isUtf8(withoutBom(source.bytes)) : await streamIsUtf8(source)
  const encoding = utf8 ? 'utf-8' : 'windows-1252'
  return {
    encoding,
    chunks: (async function* () {
      let first = true
      for await (const chunk of source.open()) {
        const bytes = first ? withoutBom(chunk) : chunk
        first = false
        // Windows-1252 has one byte per character, so each chunk decodes on its own.
        yield utf8 ? bytes : Buffer.from(decodeWindows1252(bytes), 'utf8')
      }
    })(),
  }
}

async function firstBytes(source: CsvSource, count: number): Promise<Buffer> {
  const parts: Buffer[] = []
  let length = 0
  for await (const chunk of source.open()) {
    parts.push(chunk)
    length += chunk.length
    if (length >= count) break
  }
  return Buffer.concat(parts).subarray(0, count)
}

async function streamIsUtf8(source: CsvSource): Promise<boolean> {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  try {
    for await (const chunk of source.open()) decoder.decode(chunk, { stream: true })
    decoder.decode()
    return true
  } catch {
    return false
  }
}

/** csv-parse's error codes in words. */
export function csvErrorReason(code: string): string {
  if (code === 'CSV_QUOTE_NOT_CLOSED') return 'a quoted value is never closed (a " is missing)'
  if (code === 'CSV_INVALID_CLOSING_QUOTE') return 'a quoted value is followed by more text before the next comma'
  return `it is not valid CSV (${code})`
}

/**
 * Physical line numbers of byte offsets, counted once through text that arrives in chunks. A
 * record's line is where it starts, and csv-parse only says where it ends; a quoted value can
 * hold line breaks, so the two differ.
 */
export class LineCounter {
  private readonly chunks: Buffer[] = []
  /** Where the next byte to count is in `chunks[0]`. */
  private position = 0
  private line = 1
  /** A \r was the last byte there was: whether it ends a line depends on the next one (\r\n). */
  private pendingCr = false
  /** Bytes counted so far. */
  private consumed = 0

  constructor(first?: Buffer) {
    if (first) this.push(first)
  }

  push(chunk: Buffer): void {
    if (chunk.length > 0) this.chunks.push(chunk)
  }

  /** Skips the blank lines after the last record and says on which line the next one starts. */
  startOfNextRecord(): number {
    for (;;) {
      const chunk = this.chunks[0]
      if (!chunk) return this.line + (this.pendingCr ? 1 : 0)
      const byte = chunk[this.position]!
      this.settlePending(byte)
      if (byte !== 0x0a && byte !== 0x0d) return this.line
      this.count(chunk, this.position, this.position + 1)
    }
  }

  /** Counts the line breaks up to `end`, an offset in the text since the counter was made. */
  advanceTo(end: number): void {
    while (this.consumed < end && this.chunks.length > 0) {
      const chunk = this.chunks[0]!
      const stop = Math.min(chunk.length, this.position + (end - this.consumed))
      this.settlePending(chunk[this.position]!)
      this.count(chunk, this.position, stop)
    }
  }

  /** Counts the breaks in `chunk[from, stop)` and moves past them. */
  private count(chunk: Buffer, from: number, stop: number): void {
    // Line breaks are found natively, searching only up to `stop`: a search of the whole chunk
    // for a \r an LF-only file never has would read the rest of the file for every record.
    const upToStop = chunk.subarray(0, stop)
    for (let at = from; ; ) {
      const lf = upToStop.indexOf(0x0a, at)
      if (lf === -1) break
      this.line += 1
      at = lf + 1
    }
    for (let at = from; ; ) {
      const cr = upToStop.indexOf(0x0d, at)
      if (cr === -1) break
      const next = cr + 1 < chunk.length ? chunk[cr + 1] : this.chunks[1]?.[0]
      // A lone \r ends a line; \r\n was counted at its \n.
      if (next === undefined) this.pendingCr = true
      else if (next !== 0x0a) this.line += 1
      at = cr + 1
    }
    this.consumed += stop - from
    this.position = stop
    if (this.position >= chunk.length) {
      this.chunks.shift()
      this.position = 0
    }
  }

  private settlePending(next: number): void {
    if (!this.pendingCr) return
    this.pendingCr = false
    if (next !== 0x0a) this.line += 1
  }
}
