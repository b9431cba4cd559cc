import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { bufferSource, fileSource, LineCounter, openCsvText, type CsvSource } from './csv-input.js'
import { readCsvRecords, type CsvRecord } from './csv-records.js'

/** The text in chunks of `size` bytes, so every boundary case is met somewhere. */
async function* chunked(text: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < text.length; i += size) yield text.subarray(i, i + size)
}

async function records(text: string, chunkSize: number, batchSize = 2): Promise<{ records: CsvRecord[]; failure?: { line: number; reason: string } }> {
  const seen: CsvRecord[] = []
  const result = await readCsvRecords(chunked(Buffer.from(text), chunkSize), batchSize, async (batch) => {
    seen.push(...batch)
  })
  return { records: seen, ...result }
}

const MESSY = 'a,b\r\n1,"two\r\nlines"\r\n\r\n3,x\r4,y\n\n5,"last"\r\n'

describe('reading CSV records in a stream', () => {
  it('gives each record the line it starts on, whatever the chunk size: CRLF, lone CR, blank lines, quoted line breaks', async () => {
    for (const size of [1, 2, 3, 5, 7, 64 * 1024]) {
      const { records: found, failure } = await records(MESSY, size)
      expect(failure, `chunks of ${size}`).toBeUndefined()
      expect(found.map((r) => [r.line, r.cells]), `chunks of ${size}`).toEqual([
        [1, ['a', 'b']],
        [2, ['1', 'two\r\nlines']],
        [5, ['3', 'x']],
        [6, ['4', 'y']],
        [8, ['5', 'last']],
      ])
    }
  })

  it('hands over the records before a broken quote, then says on which line reading stopped', async () => {
    const { records: found, failure } = await records('a,b\n1,2\n3,"never closed\n4,5\n', 4)
    expect(found.map((r) => r.line)).toEqual([1, 2])
    expect(failure).toEqual({ line: 3, reason: expect.stringMatching(/quoted value is never closed/) })
  })

  it('stops when the handler says so', async () => {
    const seen: number[] = []
    await readCsvRecords(chunked(Buffer.from('a\n1\n2\n3\n4\n'), 2), 1, async (batch) => {
      seen.push(...batch.map((r) => r.line))
      return seen.length < 2
    })
    expect(seen).toEqual([1, 2])
  })
})

describe('line counting across chunks', () => {
  it('counts a CRLF split between two chunks once, and a lone CR at the end of the text', () => {
    const lines = new LineCounter(Buffer.from('a\r'))
    lines.push(Buffer.from('\nb'))
    lines.advanceTo(2)
    expect(lines.startOfNextRecord()).toBe(2)
    const lone = new LineCounter(Buffer.from('a\r'))
    lone.advanceTo(2)
    expect(lone.startOfNextRecord()).toBe(2)
  })
})

describe('opening CSV text', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lgds-csv-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  async function text(source: CsvSource): Promise<{ encoding?: string; text?: string; problem?: string }> {
    const opened = await openCsvText(source)
    if ('problem' in opened) return { problem: opened.problem }
    const parts: Buffer[] = []
    for await (const chunk of opened.chunks) parts.push(chunk)
    return { encoding: opened.encoding, text: Buffer.concat(parts).toString('utf8') }
  }

  it('reads UTF-8 without its byte order mark', async () => {
    expect(await text(bufferSource(Buffer.from('\uFEFFname,£\n')))).toEqual({ encoding: 'utf-8', text: 'name,£\n' })
  })

  it('reads a file as Windows-1252 when a byte far into it is not UTF-8, chunk by chunk', async () => {
    // 300 KB of ASCII, then “£1,250 – café”: the odd bytes come after the first chunk.
    const file = path.join(dir, 'late-1252.csv')
    writeFileSync(file, Buffer.concat([Buffer.from(`${'x'.repeat(300 * 1024)}\n`), Buffer.from([0xa3, 0x31, 0x20, 0x96, 0x20, 0x63, 0x61, 0x66, 0xe9, 0x0a])]))
    const read = await text(fileSource(file))
    expect(read.encoding).toBe('windows-1252')
    expect(read.text!.endsWith('£1 – café\n')).toBe(true)
  })

  it('keeps a UTF-8 file whose characters straddle chunks as UTF-8', async () => {
    const file = path.join(dir, 'utf8.csv')
    writeFileSync(file, `${'é'.repeat(200 * 1024)}\n`)
    expect((await text(fileSource(file))).encoding).toBe('utf-8')
  })

  it('refuses spreadsheets and UTF-16', async () => {
    expect((await text(bufferSource(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00])))).problem).toMatch(/spreadsheet workbook/)
    expect((await text(bufferSource(Buffer.from([0xff, 0xfe, 0x61, 0x00])))).problem).toMatch(/UTF-16/)
  })
})
