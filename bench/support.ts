import { mkdirSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { projectRoot } from '../src/paths.js'

export interface Measurement {
  name: string
  iterations: number
  p50Ms: number
  p95Ms: number
  meanMs: number
}

/** Times `work` after a warm-up, reporting percentiles rather than a mean the noise can skew. */
export async function measure(name: string, iterations: number, work: () => Promise<unknown>): Promise<Measurement> {
  for (let i = 0; i < Math.min(20, iterations); i++) await work()
  const times: number[] = []
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint()
    await work()
    times.push(Number(process.hrtime.bigint() - start) / 1e6)
  }
  times.sort((a, b) => a - b)
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!
  return { name, iterations, p50Ms: at(0.5), p95Ms: at(0.95), meanMs: times.reduce((a, b) => a + b, 0) / times.length }
}

/** The machine, so a result can be read in context: this machine is shared and noisy. */
export function machine() {
  return {
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((n) => Number(n.toFixed(2))),
  }
}

export interface Comparison {
  subject: Measurement
  floor: Measurement
  /** How many times slower than the most direct way of doing the same work. */
  ratioP50: number
}

export function compare(subject: Measurement, floor: Measurement): Comparison {
  return { subject, floor, ratioP50: Number((subject.p50Ms / floor.p50Ms).toFixed(2)) }
}

export function printComparison(engine: string, c: Comparison): void {
  const f = (n: number) => n.toFixed(2).padStart(8)
  console.log(
    `[${engine}] ${c.subject.name.padEnd(44)} p50 ${f(c.subject.p50Ms)} ms  p95 ${f(c.subject.p95Ms)} ms | floor (${c.floor.name}) p50 ${f(c.floor.p50Ms)} ms | ×${c.ratioP50}`,
  )
}

export function writeResult(suite: string, result: unknown): string {
  const dir = path.join(projectRoot, 'bench', 'results')
  mkdirSync(dir, { recursive: true })
  const file = path.join(dir, `${suite}-${new Date().toISOString().slice(0, 10)}.json`)
  writeFileSync(file, `${JSON.stringify({ suite, at: new Date().toISOString(), machine: machine(), result }, null, 2)}\n`)
  return file
}

export interface LoadResult {
  url: string
  connections: number
  requests: number
  errors: number
  requestsPerSecond: number
  p50Ms: number
  p95Ms: number
  p99Ms: number
}

/**
 * Keeps `connections` requests in flight against `url` for `seconds` over keep-alive
 * connections, recording every latency so the p95 is exact.
 */
export async function load(target: string | (() => string), connections: number, seconds: number): Promise<LoadResult> {
  const nextUrl = typeof target === 'string' ? () => target : target
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections })
  const times: number[] = []
  let errors = 0
  const until = Date.now() + seconds * 1000
  const once = () =>
    new Promise<void>((resolve) => {
      const start = process.hrtime.bigint()
      const done = (ok: boolean) => {
        if (!ok) errors++
        times.push(Number(process.hrtime.bigint() - start) / 1e6)
        resolve()
      }
      http
        .get(nextUrl(), { agent }, (response) => {
          response.resume()
          response.on('end', () => done(response.statusCode === 200))
          response.on('error', () => done(false))
        })
        .on('error', () => done(false))
    })
  const worker = async () => {
    while (Date.now() < until) await once()
  }
  const started = Date.now()
  await Promise.all(Array.from({ length: connections }, worker))
  const elapsed = (Date.now() - started) / 1000
  agent.destroy()
  times.sort((a, b) => a - b)
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0
  return { url: typeof target === 'string' ? target : 'varied', connections, requests: times.length, errors, requestsPerSecond: Math.round(times.length / elapsed), p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99) }
}

/** The list in a fixed pseudo-random order, the same every run, so runs measure the same work. */
export function shuffled<T>(list: T[], seed: number): T[] {
  const out = [...list]
  let state = seed >>> 0
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1664525 + 1013904223) >>> 0
    const j = state % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}
